//! KeePass 2.x XML: the inner document of a `.kdbx` and KeePassXC's XML export, read as a
//! stream of events (quick-xml) into [`Entry`]s.
//!
//! ```text
//! <KeePassFile>
//!   <Meta> <HeaderHash>b64</HeaderHash> <RecycleBinUUID>b64</RecycleBinUUID> … </Meta>
//!   <Root> <Group> <UUID/> <Name>Root</Name>
//!       <Entry> <UUID/> <Tags>a;b</Tags> <Times> <Expires>True</Expires>
//!               <ExpiryTime>2030-01-01T00:00:00Z | base64 of i64 seconds since year 1</ExpiryTime>
//!               </Times>
//!         <String><Key>Title</Key><Value>…</Value></String>
//!         <String><Key>Password</Key><Value Protected="True">b64</Value></String>
//!         <History> <Entry>…</Entry> </History>
//!       </Entry>
//!       <Group> … </Group>
//!   </Group> </Root>
//! </KeePassFile>
//! ```
//!
//! Bounds: no DTD (a `<!DOCTYPE` is refused, so no entity can be declared or expanded; only
//! XML's five predefined entities and character references are read), at most
//! [`MAX_XML_DEPTH`] levels, at most [`MAX_IMPORT_ENTRIES`] entries, and a value longer than
//! [`MAX_SECRET_BYTES`] makes its entry invalid (its text is not kept).
//!
//! `Protected="True"` values (inside a `.kdbx`) are base64 XORed with the inner stream in
//! document order — every one of them, those of history entries, the recycle bin and the
//! Meta binaries included, or the stream would fall out of step. KeePassXC's XML export
//! writes plain values (`ProtectInMemory="True"` only marks them); an XML with
//! `Protected="True"` values and no database key is refused.

use base64::Engine as _;
use quick_xml::events::{BytesStart, Event};
use zeroize::{Zeroize, Zeroizing};

use super::kdbx::InnerStream;
use super::{Entry, Field};
use crate::error::{Error, Result};
use crate::import::{Format, fail, too_many_entries};
use crate::limits::{MAX_IMPORT_ENTRIES, MAX_SECRET_BYTES, MAX_XML_DEPTH};

/// The element names the reader looks at, as static strings (no allocation per element);
/// any other name is `"?"`.
fn intern(name: &str) -> &'static str {
    const NAMES: [&str; 16] = [
        "KeePassFile",
        "Meta",
        "HeaderHash",
        "RecycleBinUUID",
        "Root",
        "Group",
        "Name",
        "UUID",
        "Entry",
        "Tags",
        "Times",
        "Expires",
        "ExpiryTime",
        "String",
        "Key",
        "Value",
    ];
    if name == "History" {
        return "History";
    }
    NAMES.iter().find(|n| **n == name).copied().unwrap_or("?")
}

fn base64_digits(s: &str) -> usize {
    s.bytes()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .count()
}

/// Seconds from 0001-01-01 to 1970-01-01 (KDBX 4 times count from year 1).
const TICKS_TO_UNIX: i64 = 62_135_596_800;

/// What the document said besides its entries.
#[derive(Default)]
pub struct Document {
    pub entries: Vec<Entry>,
    /// `Meta/HeaderHash` (KDBX 3.1): the SHA-256 of the file's header.
    pub header_hash: Option<Vec<u8>>,
    /// Entries left out because they are in the recycle bin.
    pub recycled: usize,
}

struct GroupCtx {
    name: String,
    uuid: String,
    recycled: bool,
}

struct Reader<'s> {
    format: Format,
    stream: Option<&'s mut InnerStream>,
    /// Names of the open elements.
    stack: Vec<&'static str>,
    groups: Vec<GroupCtx>,
    text: Zeroizing<String>,
    /// Text of the current element is longer than a value may be (not kept).
    text_over: usize,
    /// Base64 digits in that text (a protected value's decoded length is 3/4 of them).
    over_digits: usize,
    /// The current element is `Protected="True"`.
    protected: bool,
    /// The current `<Value>` is marked `ProtectInMemory="True"` (or was protected).
    in_memory: bool,
    entry: Option<Entry>,
    /// Depth of `<History>` inside the current entry (entries there are old versions).
    history: usize,
    key: Option<String>,
    value: Option<(Zeroizing<String>, bool)>,
    recycle_bin: Option<String>,
    doc: Document,
}

fn bad_xml(format: Format, e: impl std::fmt::Display) -> Error {
    fail(format, format!("it is not well-formed XML ({e})"))
}

impl Reader<'_> {
    fn parent(&self) -> Option<&'static str> {
        self.stack.iter().rev().nth(1).copied()
    }

    fn open(&mut self, e: &BytesStart<'_>) -> Result<()> {
        if self.stack.len() >= MAX_XML_DEPTH {
            return Err(fail(
                self.format,
                format!("its elements are nested more than {MAX_XML_DEPTH} levels deep"),
            ));
        }
        let name = intern(e.name().as_ref());
        self.text.clear();
        self.text_over = 0;
        self.over_digits = 0;
        let attr = |key: &str| -> Result<bool> {
            Ok(e.try_get_attribute(key)
                .map_err(|err| bad_xml(self.format, err))?
                .is_some_and(|a| a.value.eq_ignore_ascii_case("true")))
        };
        let has_attrs = !e.attributes_raw().trim().is_empty();
        self.protected = has_attrs && attr("Protected")?;
        self.in_memory = self.protected || (has_attrs && attr("ProtectInMemory")?);
        if self.protected && self.stream.is_none() {
            return Err(fail(
                self.format,
                "its values are encrypted (Protected=\"True\"), as only inside a .kdbx \
                 database; import the database itself (format kdbx)",
            ));
        }
        match name {
            "Group" => self.groups.push(GroupCtx {
                name: String::new(),
                uuid: String::new(),
                recycled: self.groups.last().is_some_and(|g| g.recycled),
            }),
            "Entry" if self.entry.is_none() => {
                if self.groups.is_empty() {
                    return Err(fail(self.format, "an entry is outside any group"));
                }
                self.entry = Some(Entry::default());
                self.history = 0;
            }
            "History" if self.entry.is_some() => self.history += 1,
            _ => {}
        }
        self.stack.push(name);
        Ok(())
    }

    fn push_text(&mut self, s: &str) {
        if self.text_over > 0 || self.text.len() + s.len() > MAX_SECRET_BYTES * 2 {
            // Far beyond any value (base64 of a protected one is 4/3 longer): counted, not
            // kept. A protected one's base64 digits are counted too, so that the inner
            // stream still moves past exactly its bytes.
            if self.text_over == 0 {
                self.text_over = self.text.len();
                self.over_digits = base64_digits(&self.text);
                self.text.clear();
            }
            self.text_over += s.len();
            self.over_digits += base64_digits(s);
        } else {
            self.text.push_str(s);
        }
    }

    /// The text of the element being closed: unprotected, and its length when too long.
    fn take_text(&mut self) -> Result<std::result::Result<Zeroizing<String>, usize>> {
        let raw = std::mem::take(&mut self.text);
        if !self.protected {
            if self.text_over > 0 {
                return Ok(Err(self.text_over));
            }
            return Ok(Ok(raw));
        }
        let Some(stream) = self.stream.as_deref_mut() else {
            return Err(fail(self.format, "a protected value without its key"));
        };
        if self.text_over > 0 {
            // The stream must still move past it: the decoded length of the base64.
            let len = self.over_digits * 3 / 4;
            let mut skip = Zeroizing::new(vec![0u8; len]);
            stream.apply(&mut skip);
            return Ok(Err(len));
        }
        let cleaned: Zeroizing<String> =
            Zeroizing::new(raw.chars().filter(|c| !c.is_ascii_whitespace()).collect());
        let mut bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(cleaned.as_bytes())
                .map_err(|_| fail(self.format, "a protected value is not base64"))?,
        );
        stream.apply(&mut bytes);
        match String::from_utf8(std::mem::take(&mut *bytes)) {
            Ok(s) => Ok(Ok(Zeroizing::new(s))),
            Err(e) => {
                e.into_bytes().zeroize();
                // Binaries are not text; a value that is not text is reported by its entry.
                Ok(Err(usize::MAX))
            }
        }
    }

    fn close(&mut self) -> Result<()> {
        let text = self.take_text()?;
        self.protected = false;
        let Some(name) = self.stack.last().copied() else {
            return Ok(());
        };
        let parent = self.parent();
        let in_entry = self.entry.is_some() && self.history == 0;
        match (name, parent) {
            ("HeaderHash", Some("Meta")) => {
                if let Ok(t) = &text {
                    self.doc.header_hash = base64::engine::general_purpose::STANDARD
                        .decode(t.trim())
                        .ok();
                }
            }
            ("RecycleBinUUID", Some("Meta")) => {
                if let Ok(t) = &text {
                    let t = t.trim();
                    if !t.is_empty() && t != "AAAAAAAAAAAAAAAAAAAAAA==" {
                        self.recycle_bin = Some(t.to_owned());
                    }
                }
            }
            ("Name", Some("Group")) => {
                if let (Ok(t), Some(g)) = (&text, self.groups.last_mut()) {
                    g.name = t.trim().to_owned();
                }
            }
            ("UUID", Some("Group")) => {
                if let (Ok(t), Some(g)) = (&text, self.groups.last_mut()) {
                    g.uuid = t.trim().to_owned();
                    if self.recycle_bin.as_deref() == Some(g.uuid.as_str()) {
                        g.recycled = true;
                    }
                }
            }
            ("Group", _) => {
                self.groups.pop();
            }
            ("Tags", Some("Entry")) if in_entry => {
                if let (Ok(t), Some(e)) = (&text, self.entry.as_mut()) {
                    e.tags = t
                        .split([',', ';'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
            }
            ("Expires", Some("Times")) if in_entry => {
                if let (Ok(t), Some(e)) = (&text, self.entry.as_mut()) {
                    e.expires = t.trim().eq_ignore_ascii_case("true");
                }
            }
            ("ExpiryTime", Some("Times")) if in_entry => {
                if let (Ok(t), Some(e)) = (&text, self.entry.as_mut()) {
                    e.expiry_time = Some(parse_time(t));
                }
            }
            ("Key", Some("String")) if in_entry => {
                self.key = text.ok().map(|t| t.trim().to_owned());
            }
            ("Value", Some("String")) if in_entry => {
                let in_memory = self.in_memory;
                match text {
                    Ok(v) => self.value = Some((v, in_memory)),
                    Err(len) => {
                        let key = self.key.clone().unwrap_or_default();
                        if let Some(e) = self.entry.as_mut() {
                            e.problem.get_or_insert_with(|| {
                                if len == usize::MAX {
                                    format!("field {key:?} is not text (UTF-8)")
                                } else {
                                    format!(
                                        "field {key:?} is {len} bytes long; the limit is \
                                         {MAX_SECRET_BYTES} bytes"
                                    )
                                }
                            });
                        }
                    }
                }
            }
            ("String", Some("Entry")) if in_entry => {
                let key = self.key.take();
                let value = self.value.take();
                if let (Some(key), Some((value, protected)), Some(e)) =
                    (key, value, self.entry.as_mut())
                {
                    if value.len() > MAX_SECRET_BYTES {
                        e.problem.get_or_insert_with(|| {
                            format!(
                                "field {key:?} is {} bytes long; the limit is {MAX_SECRET_BYTES} \
                                 bytes",
                                value.len()
                            )
                        });
                    } else {
                        e.fields.push(Field {
                            key,
                            value,
                            protected,
                        });
                    }
                }
            }
            ("History", _) if self.entry.is_some() => {
                self.history = self.history.saturating_sub(1);
            }
            ("Entry", _) if in_entry => {
                if let Some(mut e) = self.entry.take() {
                    let g = self.groups.last();
                    if g.is_some_and(|g| g.recycled) {
                        self.doc.recycled += 1;
                    } else {
                        // The groups below the root, outermost first.
                        e.groups = self
                            .groups
                            .iter()
                            .skip(1)
                            .map(|g| g.name.clone())
                            .filter(|n| !n.is_empty())
                            .collect();
                        e.position = self.doc.entries.len() + 1;
                        self.doc.entries.push(e);
                        if self.doc.entries.len() > MAX_IMPORT_ENTRIES {
                            return Err(too_many_entries(self.format));
                        }
                    }
                }
            }
            _ => {}
        }
        self.stack.pop();
        self.text.clear();
        self.text_over = 0;
        self.over_digits = 0;
        Ok(())
    }
}

/// An `ExpiryTime`: ISO 8601 (XML export, KDBX 3.1) or base64 of little-endian i64
/// seconds since 0001-01-01 (KDBX 4).
fn parse_time(t: &str) -> std::result::Result<i64, String> {
    let t = t.trim();
    if let Ok(ts) = crate::timefmt::parse_date("expiry time", t) {
        return crate::timefmt::check_timestamp("expiry time", ts)
            .map_err(crate::import::reason_of);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(t)
        .ok()
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| format!("expiry time {t:?} is not a date"))?;
    let ts = i64::from_le_bytes(bytes).saturating_sub(TICKS_TO_UNIX);
    crate::timefmt::check_timestamp("expiry time", ts).map_err(crate::import::reason_of)
}

/// Read a KeePass XML document. `stream` decrypts `Protected="True"` values (a `.kdbx`'s
/// inner XML); without it such values are refused.
pub fn read(format: Format, text: &str, stream: Option<&mut InnerStream>) -> Result<Document> {
    let mut xml = quick_xml::Reader::from_str(text);
    let cfg = xml.config_mut();
    cfg.trim_text(false);
    cfg.check_end_names = true;
    let mut r = Reader {
        format,
        stream,
        stack: Vec::new(),
        groups: Vec::new(),
        text: Zeroizing::new(String::new()),
        text_over: 0,
        over_digits: 0,
        protected: false,
        in_memory: false,
        entry: None,
        history: 0,
        key: None,
        value: None,
        recycle_bin: None,
        doc: Document::default(),
    };
    let mut seen_root = false;
    loop {
        let ev = xml.read_event().map_err(|e| bad_xml(format, e))?;
        match ev {
            Event::DocType(_) => {
                return Err(fail(
                    format,
                    "it has a DOCTYPE; KeePass XML has none, and entity declarations are not \
                     read",
                ));
            }
            Event::Start(e) => {
                if r.stack.is_empty() {
                    if e.name().as_ref() != "KeePassFile" {
                        return Err(fail(
                            format,
                            "it is not a KeePass XML file (no <KeePassFile> root element)",
                        ));
                    }
                    seen_root = true;
                }
                r.open(&e)?;
            }
            Event::Empty(e) => {
                if r.stack.is_empty() {
                    return Err(fail(
                        format,
                        "it is not a KeePass XML file (empty document)",
                    ));
                }
                r.open(&e)?;
                r.close()?;
            }
            Event::End(_) => r.close()?,
            Event::Text(t) => {
                let mut s = t.xml10_content();
                r.push_text(&s);
                if let std::borrow::Cow::Owned(o) = &mut s {
                    o.zeroize();
                }
            }
            Event::CData(t) => {
                let mut s = t.xml10_content();
                r.push_text(&s);
                if let std::borrow::Cow::Owned(o) = &mut s {
                    o.zeroize();
                }
            }
            Event::GeneralRef(g) => {
                let resolved = if g.is_char_ref() {
                    g.resolve_char_ref()
                        .map_err(|e| bad_xml(format, e))?
                        .map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&g).map(str::to_owned)
                };
                let Some(s) = resolved else {
                    return Err(fail(
                        format,
                        format!(
                            "it uses an undeclared entity &{};  (only XML's predefined \
                             entities are read)",
                            &*g
                        ),
                    ));
                };
                r.push_text(&s);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !seen_root {
        return Err(fail(
            format,
            "it is not a KeePass XML file (no <KeePassFile> root element)",
        ));
    }
    if !r.stack.is_empty() {
        return Err(fail(
            format,
            "it ends before its last element is closed (truncated)",
        ));
    }
    Ok(r.doc)
}

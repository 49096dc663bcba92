//! Command-line definition (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Keywright: API keys, tokens, OAuth clients and 2FA secrets in one encrypted vault.
///
/// Secrets and passwords are read from standard input or a hidden prompt, never from the
/// command line. Unlock order: KEYWRIGHT_SESSION, then the system keyring, then the
/// password (prompt, or the first line of stdin with --password-stdin).
#[derive(Debug, Parser)]
#[command(
    name = "keywright",
    version = crate::VERSION,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Vault file [default: the platform data dir, e.g. ~/.local/share/keywright/vault.db]
    #[arg(long, global = true, env = "KEYWRIGHT_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,

    /// Print machine-readable JSON (errors too: {"error":{"kind","message"}})
    #[arg(long, global = true)]
    pub json: bool,

    /// Read the vault password from the first line of stdin (the rest of stdin, if any,
    /// is the command's secret input)
    #[arg(long, global = true)]
    pub password_stdin: bool,

    /// Without a command: how to start (no vault yet), or the help.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new vault and print its recovery code once
    Init(InitArgs),
    /// Unlock for this shell: prints `export KEYWRIGHT_SESSION=...` for eval
    Unlock(UnlockArgs),
    /// End every session of this vault
    Lock,
    /// Vault path, state, slots and item count
    Status,
    /// Add a credential; its secret value is read from stdin or a hidden prompt
    Add(AddArgs),
    /// List credentials (all words of QUERY must match name, tags, URL, user or kind)
    #[command(alias = "ls")]
    List(ListArgs),
    /// Show one credential; --reveal prints its secret (recorded in the audit log)
    Show(ShowArgs),
    /// Change a credential
    Edit(EditArgs),
    /// Mark a credential rotated: its new value is read from stdin or a hidden prompt; the
    /// old one stays readable for a grace period (`show NAME --previous --reveal`) while
    /// the services using it roll over, then it is deleted
    Rotate(RotateArgs),
    /// Hide a credential's rotation reminder or expiry notice for some days, the credential
    /// unchanged (an expiry that comes is still shown: a snoozed expired token is expired)
    Snooze(SnoozeArgs),
    /// Move a credential to the Trash (restorable for 30 days); --purge deletes it for good
    #[command(alias = "delete")]
    Rm(RmArgs),
    /// What is in the Trash (deleted items are kept 30 days); `trash empty` deletes it all
    Trash(TrashArgs),
    /// Bring an item back from the Trash, with its history
    Restore(RestoreArgs),
    /// Change the vault password (re-wraps the vault key; items are not re-encrypted)
    Passwd(PasswdArgs),
    /// A new vault key when a session, the recovery code or the vault key may have leaked:
    /// every item re-encrypted, a new recovery code, every session ended, the keyring entry
    /// replaced (asks for the password, or the recovery code and a new password)
    Rekey(RekeyArgs),
    /// Manage the system-keyring slot
    Keyring(KeyringArgs),
    /// The audit log (add, change, delete, reveal, copy, trash, restore, purge, export), oldest
    /// first
    Log(LogArgs),
    /// Print the current code of a 2FA item (TOTP or Steam)
    Totp(TotpArgs),
    /// Print the next code of an HOTP item and advance its counter
    Hotp(HotpArgs),
    /// Import credentials: .env files, KeePassXC, Bitwarden, 1Password, Postman, Bruno,
    /// Insomnia, CSV, and 2FA accounts from authenticator exports, otpauth lists or QR images
    Import(ImportArgs),
    /// Export every 2FA item (otpauth, aegis) or the whole vault (json, keepassxc,
    /// bitwarden), unencrypted; asks for the vault password again
    Export(ExportArgs),
    /// Show a 2FA item as a QR code to scan with a phone (asks for the vault password again)
    Qr(QrArgs),
    /// (internal) hold a copied value on the clipboard, then clear it
    #[command(name = "__clipboard-hold", hide = true)]
    ClipboardHold(ClipboardHoldArgs),
    /// Decode a JWT (an item's token, or - for stdin): header, claims, times, status;
    /// verify its signature with --key-file, --jwks or --issuer
    Inspect(InspectArgs),
    /// Print a valid access token of an OAuth2 item, renewing it first when it expired or
    /// is within 30 s of expiry
    Token(TokenArgs),
    /// Renew an OAuth2 item's access token now (refresh token, or client credentials)
    Renew(NameArgs),
    /// Log an OAuth2 item in: the browser (authorization code + PKCE on a loopback
    /// redirect) or a user code (--device)
    Login(LoginArgs),
    /// What expires, needs rotating or needs a new login, soonest first
    Expiring(ExpiringArgs),
    /// Run a command with credentials in its environment (OAuth tokens renewed first) and
    /// mask their values in its output
    Run(RunArgs),
    /// Print the value a secret reference names: keywright://ITEM/FIELD (fields: secret,
    /// username, client_id, access_token, code, url, header)
    Read(ReadArgs),
    /// Fill a template: every {{ keywright://ITEM/FIELD }} in it replaced by its value.
    /// Nothing is written unless every reference resolves; the output file is owner-only
    Inject(InjectArgs),
    /// The environment a project names (.keywright.toml, found in this folder or above, or
    /// --env-file): its variables and references; --check says which resolve, --export
    /// prints them for `eval` (direnv)
    Env(EnvArgs),
    /// Print the shell code that completes keywright's commands, options and item names:
    /// `source <(keywright completions bash)`
    Completions(CompletionsArgs),
    /// (internal) write the manual pages made at build time into a folder
    #[command(name = "__man", hide = true)]
    Man(ManArgs),
    /// Send a test request with an item's credential and say why it failed (exit 0 only
    /// when it worked)
    Request(RequestArgs),
    /// The test requests sent with an item, newest first (secrets redacted)
    History(NameArgs),
    /// An item's saved requests (`request NAME --save LABEL` adds one)
    Saved(SavedArgs),
    /// Take an encrypted backup of the vault now (a consistent snapshot, still sealed: it
    /// opens with the password or the recovery code); `backup list`, `backup auto on|off`
    Backup(BackupArgs),
    /// Sync this vault with your other devices through a shared folder (Syncthing,
    /// Dropbox, Nextcloud, a network share, a git repository): without a subcommand, one
    /// pass now; `sync init DIR`, `sync join DIR`, `sync status`, `sync devices`
    Sync(SyncArgs),
    /// Items changed on two devices at once: their versions, and which one is in force
    Conflicts,
    /// Keep one version of an item with a conflict (the ids are in `keywright conflicts`)
    Resolve(ResolveArgs),
    /// Merge another copy of this vault (a backup, a copy from a machine that was
    /// offline): what only it has is added, what both changed is kept as a conflict
    Merge(MergeArgs),
    /// Look for the vault's own secret values (plain, base64, URL-encoded, JSON-escaped) in
    /// files, a working tree (default: the current directory) or the staged changes, and
    /// say where (FILE:LINE:COLUMN) and whose, never the value; exit 1 when one is found.
    /// Respects .gitignore, skips binary files and .git/; `--install-hook` makes it a git
    /// pre-commit hook
    Scan(ScanArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan [default: .]; with --staged, git pathspecs that limit
    /// the staged files scanned
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Scan what is staged for the next commit (the index's content of the added, copied,
    /// modified and renamed files), not the working tree
    #[arg(long, conflicts_with = "install_hook")]
    pub staged: bool,
    /// Install `keywright scan --staged` as the pre-commit hook of the git repository of
    /// the current directory (a commit holding a secret is then refused)
    #[arg(long, conflicts_with = "paths")]
    pub install_hook: bool,
    /// With --install-hook: replace a pre-commit hook that is not Keywright's (it is kept
    /// as pre-commit.before-keywright)
    #[arg(long, requires = "install_hook")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Keep syncing: a pass every --interval seconds until interrupted
    #[arg(long)]
    pub watch: bool,
    /// Seconds between passes with --watch
    #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub interval: u64,
    #[command(subcommand)]
    pub action: Option<SyncAction>,
}

#[derive(Debug, Subcommand)]
pub enum SyncAction {
    /// Start syncing this vault through DIR (a folder your sync tool shares); this device
    /// writes only its own subfolder DIR/<vault-id>/<device-id>/
    Init(SyncInitArgs),
    /// Make a new vault file on this device from the vault in DIR (--vault names the new
    /// file), opened with the vault's password (prompt, or --password-stdin) or its
    /// recovery code (--recovery-stdin)
    Join(SyncJoinArgs),
    /// This device, the others, the last sync, what waits and how many conflicts
    Status,
    /// The devices of the sync; `sync devices remove ID` stops reading one
    Devices(SyncDevicesArgs),
}

#[derive(Debug, Args)]
pub struct SyncInitArgs {
    pub dir: PathBuf,
    /// This device's name as the others show it [default: the host name]
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct SyncJoinArgs {
    pub dir: PathBuf,
    /// Read the recovery code (instead of the password) from the first line of stdin
    #[arg(long)]
    pub recovery_stdin: bool,
    /// Which vault, when DIR holds several
    #[arg(long, value_name = "ID")]
    pub vault_id: Option<String>,
    /// This device's name as the others show it [default: the host name]
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct SyncDevicesArgs {
    #[command(subcommand)]
    pub action: Option<SyncDevicesAction>,
}

#[derive(Debug, Subcommand)]
pub enum SyncDevicesAction {
    /// Stop reading a device (lost or sold): its folder is ignored on every device from
    /// now on; what it synced before stays. Consider `keywright rekey` afterwards
    Remove(SyncRemoveArgs),
}

#[derive(Debug, Args)]
pub struct SyncRemoveArgs {
    /// The device id (or a unique start of it), as `sync devices` shows it
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Name or id of the item
    pub name: String,
    /// The version to keep (an id from `keywright conflicts`)
    #[arg(long, value_name = "VERSION_ID")]
    pub keep: String,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The other copy of this vault (a vault file or a backup made by `keywright backup`)
    pub other: PathBuf,
    /// Say what the merge would do, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup folder [default: the vault's setting, else `backups/` next to the vault
    /// file]. With it, no unlock is needed (a snapshot needs no key)
    #[arg(long, global = true, value_name = "DIR")]
    pub to: Option<PathBuf>,
    #[command(subcommand)]
    pub action: Option<BackupAction>,
}

#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// The backups in the folder, newest first (read without unlocking them)
    #[command(alias = "ls")]
    List,
    /// Automatic backups: `on` (after changes, debounced, and daily; old ones thinned to
    /// the last 10 + one a day for 30 days + one a month), `off`, or nothing for the status
    Auto(BackupAutoArgs),
}

#[derive(Debug, Args)]
pub struct BackupAutoArgs {
    #[arg(value_enum)]
    pub state: Option<OnOff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Item name or id (its credential is attached)
    pub name: String,
    /// The URL to request (or give --curl or --saved)
    #[arg(required_unless_present_any = ["curl", "saved"])]
    pub url: Option<String>,
    /// Read a curl command line from stdin instead: its URL, method, headers and body
    /// (credentials in it are dropped; the item's is attached)
    #[arg(long, conflicts_with_all = ["url", "method", "headers", "data", "saved"])]
    pub curl: bool,
    /// Send the item's saved request of this name (see `keywright saved`)
    #[arg(long, value_name = "LABEL", conflicts_with_all = ["url", "method", "headers", "data"])]
    pub saved: Option<String>,
    /// Also save this request with the item under LABEL (replacing one of that name)
    #[arg(long, value_name = "LABEL")]
    pub save: Option<String>,
    /// HTTP method [default: GET, or POST with -d]
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// A request header, 'Name: value' (repeatable)
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// The request body, or @FILE to read it from a file
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// Do not renew an expired OAuth token and send again
    #[arg(long)]
    pub no_retry: bool,
    /// Print the response body (JSON pretty-printed)
    #[arg(long)]
    pub body: bool,
    /// Show the server's echoes of the credential and 2FA codes as they came back
    /// (redacted by default; recorded in the item's audit log)
    #[arg(long)]
    pub show_secrets: bool,
    /// Total timeout in seconds
    #[arg(long, default_value = "30", value_name = "SECONDS")]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct SavedArgs {
    /// Item name or id
    pub name: String,
    /// Delete the saved request of this name
    #[arg(long, value_name = "LABEL")]
    pub rm: Option<String>,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    /// Item name or id
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenField {
    /// The access token (OAuth2 items)
    Access,
    /// The refresh token (OAuth2 items)
    Refresh,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Item name or id, or - to read the token from stdin [default: -]
    pub name: Option<String>,
    /// Which token of an OAuth2 item
    #[arg(long, value_enum, default_value = "access")]
    pub token: TokenField,
    /// Verify with this key: an HMAC secret (HS*), a PEM public key, or a JWK / JWK Set
    #[arg(long, value_name = "FILE", conflicts_with_all = ["jwks", "key_item"])]
    pub key_file: Option<std::path::PathBuf>,
    /// Verify with the HMAC secret stored in this item (its value)
    #[arg(long, value_name = "NAME", conflicts_with = "jwks")]
    pub key_item: Option<String>,
    /// Verify with the keys at this JWKS URL
    #[arg(long, value_name = "URL")]
    pub jwks: Option<String>,
    /// The expected issuer; without another key, its JWKS is found by discovery
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// The expected audience
    #[arg(long)]
    pub audience: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Item name or id
    pub name: String,
    /// Renew even if the stored token is still valid
    #[arg(long)]
    pub renew: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Item name or id
    pub name: String,
    /// Log in with a user code on another device (RFC 8628) instead of this browser
    #[arg(long)]
    pub device: bool,
    /// Print the login URL instead of opening the browser
    #[arg(long, conflicts_with = "device")]
    pub no_browser: bool,
}

#[derive(Debug, Args)]
pub struct ExpiringArgs {
    /// Also list what expires or is due for rotation within this time
    #[arg(long, default_value = "7d", value_name = "DURATION")]
    pub within: String,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The reference, e.g. "keywright://Stripe live/secret" (an item id works in place of
    /// the name; % escapes odd characters: %25 is %)
    pub reference: String,
    /// Do not print a newline after the value
    #[arg(short = 'n', long)]
    pub no_newline: bool,
}

#[derive(Debug, Args)]
pub struct InjectArgs {
    /// The template (YAML, JSON, TOML, .npmrc, kubeconfig, any text), or - for stdin
    #[arg(
        short = 'i',
        long = "in-file",
        value_name = "TEMPLATE",
        default_value = "-"
    )]
    pub input: String,
    /// Write the result to this file (created owner-only, 0600) instead of stdout
    #[arg(short = 'o', long = "out-file", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Replace OUT if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// A profile of the project file ([env.PROFILE]: the defaults, overridden)
    #[arg(long, env = "KEYWRIGHT_PROFILE", value_name = "PROFILE")]
    pub profile: Option<String>,
    /// A .env file whose values may be references, instead of the project file
    /// (repeatable; later files override earlier ones)
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// Say whether each reference resolves (ok, expiring, expired, missing), without
    /// printing values; exit 1 when any is missing or expired
    #[arg(long, conflicts_with = "export")]
    pub check: bool,
    /// Print `export VAR='value'` lines with the values, for `eval "$(keywright env
    /// --export)"` (a direnv .envrc)
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: ShellArg,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder to write keywright.1 and keywright-COMMAND.1 into
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// VAR=NAME: put item NAME's value in the command's environment as VAR (an OAuth2
    /// item's access token, a 2FA item's current code, else its secret); NAME may also be
    /// a reference (VAR=keywright://ITEM/FIELD). Repeatable
    #[arg(long = "env", value_name = "VAR=NAME")]
    pub env: Vec<String>,
    /// A .env file whose values may be references (keywright://ITEM/FIELD, or {{ … }}
    /// inside a value); plain values pass through. Repeatable; --env wins over files, a
    /// later file over an earlier one. Without --env and --env-file, the project file
    /// (.keywright.toml in this folder or above) is used
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// A profile of the project file ([env.PROFILE])
    #[arg(long, env = "KEYWRIGHT_PROFILE", value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Do not mask the values in the command's output
    #[arg(long)]
    pub no_masking: bool,
    /// Keep KEYWRIGHT_SESSION in the command's environment (by default every KEYWRIGHT_*
    /// variable is removed: with the session the command could open the whole vault)
    #[arg(long)]
    pub pass_session: bool,
    /// The command and its arguments, after --
    #[arg(
        required = true,
        value_name = "CMD",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct TotpArgs {
    /// Item name or id
    pub name: String,
    /// The code at this time instead of now: Unix seconds or a date (YYYY-MM-DD, RFC 3339),
    /// from 1970-01-01 to 9999-12-31
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Copy the code to the clipboard instead of printing it (cleared after 30 s)
    #[arg(long)]
    pub copy: bool,
}

#[derive(Debug, Args)]
pub struct HotpArgs {
    /// Item name or id
    pub name: String,
    /// Copy the code to the clipboard instead of printing it (cleared after 30 s)
    #[arg(long)]
    pub copy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormatArg {
    /// One otpauth:// URI per line
    Otpauth,
    /// PNG or JPEG image with QR codes
    Qr,
    /// Google Authenticator export (otpauth-migration:// lines, or a QR image of them)
    GoogleMigration,
    /// Aegis JSON export, plain or encrypted
    Aegis,
    /// 2FAS .2fas backup, plain or encrypted
    #[value(name = "2fas")]
    TwoFas,
    /// Ente Auth export, plain text or encrypted JSON
    Ente,
    /// A .env file: each variable an item (settings such as PORT=3000 offered unticked)
    Dotenv,
    /// A KeePass / KeePassXC database (.kdbx, KDBX 3.1 and 4), with its password
    Kdbx,
    /// KeePassXC's XML export
    #[value(name = "keepassxc-xml")]
    KeepassXml,
    /// KeePassXC's CSV export
    #[value(name = "keepassxc-csv")]
    KeepassCsv,
    /// Bitwarden JSON export, plain or password-protected
    Bitwarden,
    /// 1Password .1pux export
    #[value(name = "1password")]
    OnePassword,
    /// Postman collection (v2.1) or environment export; requests become saved requests
    Postman,
    /// Bruno collection folder (or one .bru file); requests become saved requests
    Bruno,
    /// Insomnia v4 export (JSON); requests become saved requests
    Insomnia,
    /// Any CSV with a header row, through --map
    Csv,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file is
    #[arg(value_enum)]
    pub format: ImportFormatArg,
    /// The file, or - for stdin
    pub file: String,
    /// Show what would be imported (new / duplicate / invalid) and save nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Import nothing if any entry is invalid
    #[arg(long)]
    pub strict: bool,
    /// Also import the entries offered unticked (settings of a .env file such as PORT=3000)
    #[arg(long)]
    pub all: bool,
    /// Add this tag to every imported item (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// .env: the project tag its items get (default: the name of the file's folder)
    #[arg(long, value_name = "PROJECT")]
    pub prefix: Option<String>,
    /// csv: which column holds what, e.g. name=Title,secret=Password,username=User,url=URL
    /// (fields: name, secret, username, url, notes, tags, kind, expires, totp, header, query)
    #[arg(long, value_name = "FIELD=COLUMN,...")]
    pub map: Option<String>,
    /// postman: an environment export the collection's {{variables}} resolve from
    /// (repeatable; *.postman_environment.json files beside the collection are read too)
    #[arg(long = "env", value_name = "FILE")]
    pub envs: Vec<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// One otpauth:// URI per line
    Otpauth,
    /// Aegis plain (unencrypted) JSON
    Aegis,
    /// The whole vault in Keywright's documented JSON (docs/export-format.md)
    Json,
    /// The whole vault as KeePass 2 XML (`keepassxc-cli import FILE.xml NEW.kdbx`)
    Keepassxc,
    /// The whole vault as Bitwarden's unencrypted JSON export
    Bitwarden,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub format: ExportFormatArg,
    /// Write to this file (created with owner-only permissions) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Overwrite --out if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct QrArgs {
    /// Item name or id
    pub name: String,
    /// Write an image instead of drawing in the terminal: FILE.png or FILE.svg
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Overwrite --out if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ClipboardHoldArgs {
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Do not add a system-keyring slot
    #[arg(long)]
    pub no_keyring: bool,
    /// Argon2id memory in MiB (default: calibrated, at least 64)
    #[arg(long, value_name = "MiB", requires = "kdf_iterations")]
    pub kdf_memory: Option<u32>,
    /// Argon2id iterations (default: calibrated to about 0.5 s)
    #[arg(long, value_name = "N", requires = "kdf_memory")]
    pub kdf_iterations: Option<u32>,
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// How long the session lasts (30s, 15m, 8h, 1d)
    #[arg(long, default_value = "15m")]
    pub ttl: String,
    /// Unlock with the recovery code instead of the password
    #[arg(long)]
    pub recovery: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    ApiKey,
    Bearer,
    Oauth2,
    Basic,
    Totp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    Basic,
    Post,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// What kind of credential
    pub kind: KindArg,
    /// Unique name (case-insensitive)
    pub name: String,
    #[command(flatten)]
    pub common: CommonFields,
    /// OAuth2: client id
    #[arg(long, help_heading = "OAuth2")]
    pub client_id: Option<String>,
    /// OAuth2: issuer URL for discovery (OpenID Connect / RFC 8414); totp: the service
    #[arg(long, help_heading = "OAuth2")]
    pub issuer: Option<String>,
    /// OAuth2: token endpoint URL
    #[arg(long, help_heading = "OAuth2")]
    pub token_url: Option<String>,
    /// OAuth2: client authentication at the token endpoint
    #[arg(long, value_enum, default_value = "basic", help_heading = "OAuth2")]
    pub auth: AuthArg,
    /// OAuth2: scope (repeatable)
    #[arg(long = "scope", help_heading = "OAuth2")]
    pub scopes: Vec<String>,
    /// OAuth2: audience / resource
    #[arg(long, help_heading = "OAuth2")]
    pub audience: Option<String>,
    /// OAuth2: how the first token is had: client_credentials, or a person's login
    /// (authorization_code, device_code; then `keywright login NAME`)
    #[arg(long, help_heading = "OAuth2", value_name = "GRANT")]
    pub grant: Option<String>,
    /// 2FA: digits, 6-8 [default: 6, or the URI's]
    #[arg(long, help_heading = "2FA (totp)")]
    pub digits: Option<u8>,
    /// 2FA: period in seconds [default: 30, or the URI's]
    #[arg(long, help_heading = "2FA (totp)")]
    pub period: Option<u32>,
    /// 2FA: SHA1, SHA256 or SHA512 [default: SHA1, or the URI's]
    #[arg(long, help_heading = "2FA (totp)")]
    pub algorithm: Option<String>,
    /// 2FA: totp, hotp or steam [default: totp, or the URI's]
    #[arg(long = "type", value_name = "TYPE", help_heading = "2FA (totp)")]
    pub otp_type: Option<String>,
    /// 2FA: HOTP counter of the next code [default: 0, or the URI's]
    #[arg(long, help_heading = "2FA (totp)")]
    pub counter: Option<u64>,
    /// 2FA: issuer shown with the code (for totp items --issuer means this too)
    #[arg(long = "otp-issuer", help_heading = "2FA (totp)")]
    pub otp_issuer: Option<String>,
}

/// Fields shared by `add` and `edit`.
#[derive(Debug, Args)]
pub struct CommonFields {
    /// Tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Web or API URL
    #[arg(long)]
    pub url: Option<String>,
    /// API key: send in this header (default X-API-Key)
    #[arg(long, value_name = "NAME", conflicts_with_all = ["query", "bearer"])]
    pub header: Option<String>,
    /// API key: send as this query parameter
    #[arg(long, value_name = "NAME", conflicts_with = "bearer")]
    pub query: Option<String>,
    /// API key: send as `Authorization: Bearer`
    #[arg(long)]
    pub bearer: bool,
    /// User name (basic auth) or account
    #[arg(long, alias = "account")]
    pub username: Option<String>,
    /// Expiry date: YYYY-MM-DD (00:00 UTC) or RFC 3339; `never` clears it
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// Rotation reminder: 90d, 12w...; `never` switches it off [default: 90d]
    #[arg(long, value_name = "DURATION")]
    pub rotate_every: Option<String>,
    /// Show as expiring this long before the expiry [default: 7d]
    #[arg(long, value_name = "DURATION")]
    pub warn: Option<String>,
    /// Read notes from stdin: every line after the secret value
    #[arg(long)]
    pub notes_stdin: bool,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Item name or id
    pub name: String,
    /// Keep the old value readable this long: 1d, 7d, 30d...; 0 or `none` keeps nothing
    #[arg(long, default_value = "7d", value_name = "DAYS")]
    pub grace: String,
}

#[derive(Debug, Args)]
pub struct SnoozeArgs {
    /// Item name or id
    pub name: String,
    /// How many days to hide the reminder or notice (1 to 365)
    #[arg(long, value_name = "N")]
    pub days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SortArg {
    /// By name (case-insensitive)
    #[default]
    Name,
    /// What needs the user first (expiry or rotation reminder; a snoozed reminder at the
    /// snooze's end); items with neither last
    Expiry,
    /// Most recently changed first
    Updated,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Words to search for
    pub query: Vec<String>,
    /// Order of the rows (and of `--json`)
    #[arg(long, value_enum, default_value = "name")]
    pub sort: SortArg,
    /// Only items with this tag
    #[arg(long)]
    pub tag: Option<String>,
    /// Only items of this kind
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub name: String,
    /// Include the secret (recorded in the audit log)
    #[arg(long)]
    pub reveal: bool,
    /// Show the previous values kept by `rotate` instead (with --reveal: the newest one's
    /// value)
    #[arg(long)]
    pub previous: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub name: String,
    /// New name
    #[arg(long = "name", value_name = "NEW_NAME")]
    pub new_name: Option<String>,
    #[command(flatten)]
    pub common: CommonFields,
    /// Replace the tags with the --tag values (default: --tag adds)
    #[arg(long)]
    pub replace_tags: bool,
    /// Remove this tag (repeatable)
    #[arg(long = "untag", value_name = "TAG")]
    pub untag: Vec<String>,
    /// Read a new secret value from stdin (counts as a rotation)
    #[arg(long)]
    pub value_stdin: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Item name or id
    pub name: String,
    /// Delete for good instead of moving to the Trash (also takes an item out of the Trash)
    #[arg(long)]
    pub purge: bool,
}

#[derive(Debug, Args)]
pub struct TrashArgs {
    #[command(subcommand)]
    pub action: Option<TrashAction>,
}

#[derive(Debug, Subcommand)]
pub enum TrashAction {
    /// Delete everything in the Trash for good (asks first on a terminal)
    Empty(EmptyTrashArgs),
}

#[derive(Debug, Args)]
pub struct EmptyTrashArgs {
    /// Do not ask (required when there is no terminal to ask on)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Name or id of the item in the Trash; or, with --to, a backup file (a snapshot made
    /// by `keywright backup`, or any vault file)
    pub name: String,
    /// Restore it under this name (when another item has taken its name)
    #[arg(long = "as", value_name = "NEW_NAME", conflicts_with = "to")]
    pub as_name: Option<String>,
    /// Restore the backup file NAME as a new vault file at this path (it must not exist,
    /// unless --force)
    #[arg(long, value_name = "NEW.db")]
    pub to: Option<PathBuf>,
    /// With --to: replace an existing vault file (a backup of it is taken first, into
    /// `backups/` next to it; refused while another program has it open)
    #[arg(long, requires = "to")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Prove who you are with the recovery code instead of the current password
    #[arg(long)]
    pub recovery: bool,
    /// Argon2id memory in MiB for the new password (default: keep the current settings)
    #[arg(long, value_name = "MiB", requires = "kdf_iterations")]
    pub kdf_memory: Option<u32>,
    /// Argon2id iterations for the new password
    #[arg(long, value_name = "N", requires = "kdf_memory")]
    pub kdf_iterations: Option<u32>,
}

#[derive(Debug, Args)]
pub struct RekeyArgs {
    /// Prove who you are with the recovery code (then a new password is asked for)
    #[arg(long)]
    pub recovery: bool,
}

#[derive(Debug, Args)]
pub struct KeyringArgs {
    #[command(subcommand)]
    pub action: KeyringAction,
}

#[derive(Debug, Subcommand)]
pub enum KeyringAction {
    /// Add a keyring slot: unlock without typing while logged in
    Enable,
    /// Remove the keyring slot and its keyring entry
    Disable,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only events of this item
    pub name: Option<String>,
}

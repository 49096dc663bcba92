//! What a secret is, from its shape alone: the service that issued it, the variant (live,
//! test, restricted…), where it goes on a request and a harmless "who am I" URL to test it
//! with. Pure string matching over one table ([`RULES`]); a key is never sent anywhere to
//! be recognised.
//!
//! Each rule names the public document its shape comes from. A shape is a literal prefix
//! and a body of a given alphabet and length; the longest matching prefix wins (so
//! `sk-ant-` is Anthropic, not OpenAI's `sk-`).

use crate::credential::Placement;

/// The characters a key's body may hold after its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    /// `A-Z a-z 0-9`
    Alnum,
    /// `A-Z a-z 0-9 _`
    Word,
    /// `A-Z a-z 0-9 _ -`
    Base64Url,
    /// `0-9 a-f`
    LowerHex,
    /// `A-Z 0-9`
    UpperAlnum,
}

impl Alphabet {
    pub fn allows(self, c: char) -> bool {
        match self {
            Alphabet::Alnum => c.is_ascii_alphanumeric(),
            Alphabet::Word => c.is_ascii_alphanumeric() || c == '_',
            Alphabet::Base64Url => c.is_ascii_alphanumeric() || c == '_' || c == '-',
            Alphabet::LowerHex => c.is_ascii_digit() || ('a'..='f').contains(&c),
            Alphabet::UpperAlnum => c.is_ascii_uppercase() || c.is_ascii_digit(),
        }
    }
}

/// Where a recognised key goes on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goes {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// A header of this name.
    Header(&'static str),
    /// A query parameter of this name.
    Query(&'static str),
    /// Not on its own (an AWS key id needs its secret and a signature; a PyPI token is an
    /// upload password).
    Elsewhere,
}

/// One known key shape.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// A stable lower-case id (`show --json`'s `"service"`).
    pub service: &'static str,
    /// `"live"`, `"test"`, `"restricted"`… (`"key_variant"`), when the shape says.
    pub variant: Option<&'static str>,
    /// What a person calls it: "Stripe live secret key".
    pub label: &'static str,
    pub prefix: &'static str,
    pub alphabet: Alphabet,
    /// The body's length after the prefix, inclusive.
    pub len: (usize, usize),
    pub goes: Goes,
    pub base_url: Option<&'static str>,
    /// A harmless request that says whether the key works ("who am I").
    pub test_url: Option<&'static str>,
    /// Where the shape is documented.
    pub doc: &'static str,
}

const GITHUB_DOC: &str = "https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/";
const STRIPE_DOC: &str = "https://docs.stripe.com/keys";
const SLACK_DOC: &str = "https://api.slack.com/concepts/token-types";
const AWS_DOC: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids";
const OPENAI_DOC: &str = "https://platform.openai.com/docs/api-reference/authentication";

const fn github(prefix: &'static str, variant: &'static str, label: &'static str) -> Rule {
    Rule {
        service: "github",
        variant: Some(variant),
        label,
        prefix,
        alphabet: Alphabet::Alnum,
        len: (36, 36),
        goes: Goes::Bearer,
        base_url: Some("https://api.github.com"),
        test_url: Some("https://api.github.com/user"),
        doc: GITHUB_DOC,
    }
}

const fn stripe(prefix: &'static str, variant: &'static str, label: &'static str) -> Rule {
    Rule {
        service: "stripe",
        variant: Some(variant),
        label,
        prefix,
        alphabet: Alphabet::Alnum,
        len: (24, 247),
        goes: Goes::Bearer,
        base_url: Some("https://api.stripe.com"),
        test_url: Some("https://api.stripe.com/v1/balance"),
        doc: STRIPE_DOC,
    }
}

const fn slack(prefix: &'static str, variant: &'static str, label: &'static str) -> Rule {
    Rule {
        service: "slack",
        variant: Some(variant),
        label,
        prefix,
        alphabet: Alphabet::Base64Url,
        len: (20, 255),
        goes: Goes::Bearer,
        base_url: Some("https://slack.com/api"),
        test_url: Some("https://slack.com/api/auth.test"),
        doc: SLACK_DOC,
    }
}

const fn aws(prefix: &'static str, variant: &'static str, label: &'static str) -> Rule {
    Rule {
        service: "aws",
        variant: Some(variant),
        label,
        prefix,
        alphabet: Alphabet::UpperAlnum,
        len: (16, 16),
        goes: Goes::Elsewhere,
        base_url: None,
        test_url: None,
        doc: AWS_DOC,
    }
}

/// Every known shape. JWTs are recognised apart ([`recognize`]).
pub const RULES: &[Rule] = &[
    github("ghp_", "personal", "GitHub personal access token (classic)"),
    github("gho_", "oauth", "GitHub OAuth access token"),
    github("ghu_", "user-to-server", "GitHub App user access token"),
    github("ghs_", "server-to-server", "GitHub App installation token"),
    Rule {
        service: "github",
        variant: Some("fine-grained"),
        label: "GitHub fine-grained personal access token",
        prefix: "github_pat_",
        alphabet: Alphabet::Word,
        len: (82, 82),
        goes: Goes::Bearer,
        base_url: Some("https://api.github.com"),
        test_url: Some("https://api.github.com/user"),
        doc: GITHUB_DOC,
    },
    Rule {
        service: "gitlab",
        variant: Some("personal"),
        label: "GitLab personal access token",
        prefix: "glpat-",
        alphabet: Alphabet::Base64Url,
        len: (20, 64),
        goes: Goes::Header("PRIVATE-TOKEN"),
        base_url: Some("https://gitlab.com/api/v4"),
        test_url: Some("https://gitlab.com/api/v4/user"),
        doc: "https://docs.gitlab.com/security/tokens/",
    },
    stripe("sk_live_", "live", "Stripe live secret key"),
    stripe("sk_test_", "test", "Stripe test secret key"),
    stripe("rk_live_", "restricted", "Stripe live restricted key"),
    stripe("rk_test_", "restricted-test", "Stripe test restricted key"),
    stripe("pk_live_", "publishable", "Stripe live publishable key"),
    stripe(
        "pk_test_",
        "publishable-test",
        "Stripe test publishable key",
    ),
    slack("xoxb-", "bot", "Slack bot token"),
    slack("xoxp-", "user", "Slack user token"),
    slack("xapp-", "app", "Slack app-level token"),
    aws("AKIA", "long-term", "AWS access key ID"),
    aws("ASIA", "temporary", "AWS temporary access key ID"),
    Rule {
        service: "anthropic",
        variant: None,
        label: "Anthropic API key",
        prefix: "sk-ant-",
        alphabet: Alphabet::Base64Url,
        len: (32, 200),
        goes: Goes::Header("x-api-key"),
        base_url: Some("https://api.anthropic.com"),
        test_url: Some("https://api.anthropic.com/v1/models"),
        doc: "https://docs.anthropic.com/en/api/overview",
    },
    Rule {
        service: "openai",
        variant: Some("project"),
        label: "OpenAI project API key",
        prefix: "sk-proj-",
        alphabet: Alphabet::Base64Url,
        len: (32, 200),
        goes: Goes::Bearer,
        base_url: Some("https://api.openai.com/v1"),
        test_url: Some("https://api.openai.com/v1/models"),
        doc: OPENAI_DOC,
    },
    Rule {
        service: "openai",
        variant: Some("user"),
        label: "OpenAI API key",
        prefix: "sk-",
        alphabet: Alphabet::Base64Url,
        len: (32, 200),
        goes: Goes::Bearer,
        base_url: Some("https://api.openai.com/v1"),
        test_url: Some("https://api.openai.com/v1/models"),
        doc: OPENAI_DOC,
    },
    Rule {
        service: "google",
        variant: None,
        label: "Google API key",
        prefix: "AIza",
        alphabet: Alphabet::Base64Url,
        len: (35, 35),
        goes: Goes::Query("key"),
        base_url: Some("https://www.googleapis.com"),
        test_url: None,
        doc: "https://cloud.google.com/docs/authentication/api-keys",
    },
    Rule {
        service: "sendgrid",
        variant: None,
        label: "SendGrid API key",
        prefix: "SG.",
        // 22 characters, a dot, 43 characters.
        alphabet: Alphabet::Base64Url,
        len: (66, 66),
        goes: Goes::Bearer,
        base_url: Some("https://api.sendgrid.com/v3"),
        test_url: Some("https://api.sendgrid.com/v3/scopes"),
        doc: "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
    },
    Rule {
        service: "twilio",
        variant: Some("api-key-sid"),
        label: "Twilio API key SID",
        prefix: "SK",
        alphabet: Alphabet::LowerHex,
        len: (32, 32),
        goes: Goes::Elsewhere,
        base_url: Some("https://api.twilio.com/2010-04-01"),
        test_url: None,
        doc: "https://www.twilio.com/docs/iam/api-keys",
    },
    Rule {
        service: "npm",
        variant: None,
        label: "npm access token",
        prefix: "npm_",
        alphabet: Alphabet::Alnum,
        len: (36, 36),
        goes: Goes::Bearer,
        base_url: Some("https://registry.npmjs.org"),
        test_url: Some("https://registry.npmjs.org/-/whoami"),
        doc: "https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/",
    },
    Rule {
        service: "pypi",
        variant: None,
        label: "PyPI API token",
        prefix: "pypi-",
        alphabet: Alphabet::Base64Url,
        len: (50, 1000),
        goes: Goes::Elsewhere,
        base_url: Some("https://upload.pypi.org/legacy/"),
        test_url: None,
        doc: "https://pypi.org/help/#apitoken",
    },
    Rule {
        service: "huggingface",
        variant: None,
        label: "Hugging Face access token",
        prefix: "hf_",
        alphabet: Alphabet::Alnum,
        len: (30, 40),
        goes: Goes::Bearer,
        base_url: Some("https://huggingface.co/api"),
        test_url: Some("https://huggingface.co/api/whoami-v2"),
        doc: "https://huggingface.co/docs/hub/security-tokens",
    },
    Rule {
        service: "digitalocean",
        variant: Some("personal"),
        label: "DigitalOcean personal access token",
        prefix: "dop_v1_",
        alphabet: Alphabet::LowerHex,
        len: (64, 64),
        goes: Goes::Bearer,
        base_url: Some("https://api.digitalocean.com/v2"),
        test_url: Some("https://api.digitalocean.com/v2/account"),
        doc: "https://docs.digitalocean.com/reference/api/create-personal-access-token/",
    },
    Rule {
        service: "shopify",
        variant: Some("admin"),
        label: "Shopify Admin API access token",
        prefix: "shpat_",
        alphabet: Alphabet::LowerHex,
        len: (32, 32),
        goes: Goes::Header("X-Shopify-Access-Token"),
        // Per shop: https://{shop}.myshopify.com/admin/api/…
        base_url: None,
        test_url: None,
        doc: "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens",
    },
];

/// What a secret was recognised as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognized {
    pub service: &'static str,
    pub variant: Option<&'static str>,
    pub label: &'static str,
    pub goes: Goes,
    pub base_url: Option<&'static str>,
    pub test_url: Option<&'static str>,
}

impl Recognized {
    fn from_rule(r: &Rule) -> Self {
        Recognized {
            service: r.service,
            variant: r.variant,
            label: r.label,
            goes: r.goes,
            base_url: r.base_url,
            test_url: r.test_url,
        }
    }

    /// Where the key goes as the vault stores it, when it goes on a request by itself.
    pub fn placement(&self) -> Option<Placement> {
        match self.goes {
            Goes::Bearer => Some(Placement::Bearer),
            Goes::Header(name) => Some(Placement::Header { name: name.into() }),
            Goes::Query(name) => Some(Placement::Query { name: name.into() }),
            Goes::Elsewhere => None,
        }
    }
}

fn fits(rule: &Rule, body: &str) -> bool {
    let n = body.chars().count();
    if n < rule.len.0 || n > rule.len.1 {
        return false;
    }
    if rule.service == "sendgrid" {
        // SG.<22>.<43>
        let mut parts = body.split('.');
        return matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(a), Some(b), None)
                if a.len() == 22 && b.len() == 43
                    && a.chars().chain(b.chars()).all(|c| rule.alphabet.allows(c))
        );
    }
    body.chars().all(|c| rule.alphabet.allows(c))
}

fn is_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && s.starts_with("eyJ")
        && parts[..2].iter().all(|p| !p.is_empty())
        && parts
            .iter()
            .all(|p| p.chars().all(|c| Alphabet::Base64Url.allows(c)))
}

/// The service a secret belongs to, from its shape alone, or `None`. Surrounding
/// whitespace is ignored; a `Bearer ` prefix is not (the value is the key itself).
pub fn recognize(secret: &str) -> Option<Recognized> {
    let s = secret.trim();
    let best = RULES
        .iter()
        .filter(|r| s.starts_with(r.prefix))
        .filter(|r| fits(r, &s[r.prefix.len()..]))
        .max_by_key(|r| r.prefix.len());
    if let Some(r) = best {
        return Some(Recognized::from_rule(r));
    }
    is_jwt(s).then_some(Recognized {
        service: "jwt",
        variant: None,
        label: "JSON Web Token",
        goes: Goes::Bearer,
        base_url: None,
        test_url: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic generator (tests need shapes, not secrecy).
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn body(&mut self, a: Alphabet, n: usize) -> String {
            let pool: Vec<char> = (0u8..=127)
                .map(char::from)
                .filter(|c| a.allows(*c))
                .collect();
            (0..n)
                .map(|_| {
                    let i = usize::try_from(self.next()).unwrap_or(0) % pool.len();
                    pool[i]
                })
                .collect()
        }
    }

    fn example(rule: &Rule, g: &mut Gen, n: usize) -> String {
        if rule.service == "sendgrid" {
            return format!(
                "{}{}.{}",
                rule.prefix,
                g.body(rule.alphabet, 22),
                g.body(rule.alphabet, 43)
            );
        }
        format!("{}{}", rule.prefix, g.body(rule.alphabet, n))
    }

    #[test]
    fn every_rule_recognises_keys_of_its_shape_at_both_ends_of_its_length() {
        let mut g = Gen(7);
        for rule in RULES {
            for n in [rule.len.0, rule.len.1] {
                for _ in 0..20 {
                    let key = example(rule, &mut g, n);
                    let r =
                        recognize(&key).unwrap_or_else(|| panic!("{} not recognised", rule.label));
                    assert_eq!(
                        (r.service, r.variant, r.label),
                        (rule.service, rule.variant, rule.label),
                        "a generated {} key",
                        rule.label
                    );
                }
            }
        }
    }

    #[test]
    fn a_body_too_short_too_long_or_of_the_wrong_alphabet_is_not_that_service() {
        let mut g = Gen(11);
        for rule in RULES.iter().filter(|r| r.service != "sendgrid") {
            let short = example(rule, &mut g, rule.len.0 - 1);
            assert_ne!(
                recognize(&short).map(|r| r.label),
                Some(rule.label),
                "{short}"
            );
            let long = example(rule, &mut g, rule.len.1 + 1);
            assert_ne!(
                recognize(&long).map(|r| r.label),
                Some(rule.label),
                "{long}"
            );
            let mut bad = example(rule, &mut g, rule.len.0);
            bad.push('!');
            bad.remove(rule.prefix.len());
            assert_ne!(recognize(&bad).map(|r| r.label), Some(rule.label), "{bad}");
        }
    }

    #[test]
    fn the_longest_prefix_wins() {
        let mut g = Gen(3);
        let ant = format!("sk-ant-api03-{}", g.body(Alphabet::Base64Url, 60));
        assert_eq!(recognize(&ant).map(|r| r.service), Some("anthropic"));
        let proj = format!("sk-proj-{}", g.body(Alphabet::Base64Url, 60));
        assert_eq!(recognize(&proj).map(|r| r.variant), Some(Some("project")));
        let user = format!("sk-{}", g.body(Alphabet::Alnum, 48));
        assert_eq!(recognize(&user).map(|r| r.variant), Some(Some("user")));
        // Stripe's `sk_live_` is not OpenAI's `sk-`.
        let live = format!("sk_live_{}", g.body(Alphabet::Alnum, 99));
        let r = recognize(&live);
        assert_eq!(r.as_ref().map(|r| r.label), Some("Stripe live secret key"));
        assert_eq!(r.and_then(|r| r.placement()), Some(Placement::Bearer));
    }

    #[test]
    fn jwts_of_any_issuer_and_nothing_else() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        assert_eq!(recognize(jwt).map(|r| r.service), Some("jwt"));
        assert_eq!(
            recognize(&format!("  {jwt}\n")).map(|r| r.service),
            Some("jwt")
        );
        for not in [
            "",
            "hunter2",
            "correct horse battery staple",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0",
            "eyJ.a.b.c",
            "JBSWY3DPEHPK3PXP",
            "0123456789abcdef0123456789abcdef",
            "Bearer ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(recognize(not), None, "{not:?}");
        }
    }

    #[test]
    fn placements_and_test_urls_are_well_formed() {
        for rule in RULES {
            assert_eq!(rule.service, rule.service.to_ascii_lowercase());
            assert!(rule.doc.starts_with("https://"), "{}", rule.label);
            for url in [rule.base_url, rule.test_url].into_iter().flatten() {
                assert!(url.starts_with("https://"), "{url}");
            }
            if rule.test_url.is_some() {
                assert_ne!(
                    rule.goes,
                    Goes::Elsewhere,
                    "{}: a test needs a placement",
                    rule.label
                );
            }
            assert!(
                rule.len.0 >= 1 && rule.len.0 <= rule.len.1,
                "{}",
                rule.label
            );
        }
    }
}

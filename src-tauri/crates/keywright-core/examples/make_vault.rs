//! Builds a vault with N realistic items, for benchmarks and for trying the app with a
//! developer-sized vault: `make_vault PATH COUNT` with the password on stdin.
//! Uses OWASP's minimum Argon2id (46 MiB x 1) so that building is quick.

use std::io::BufRead;
use std::path::PathBuf;

use keywright_core::credential::{Kind, NewItem, OAuthConfig, Placement};
use keywright_core::crypto::kdf::KdfParams;
use keywright_core::{CreateOptions, Vault};
use secrecy::SecretString;

/// `count` items: API keys, tokens, basic pairs, OAuth clients and TOTP seeds for a few
/// hundred services across environments.
pub fn items(count: usize) -> Vec<NewItem> {
    const SERVICES: [&str; 12] = [
        "stripe",
        "github",
        "aws",
        "openai",
        "twilio",
        "sendgrid",
        "datadog",
        "sentry",
        "slack",
        "auth0",
        "cloudflare",
        "pagerduty",
    ];
    const ENVS: [&str; 4] = ["prod", "staging", "dev", "ci"];
    (0..count)
        .map(|i| {
            let svc = SERVICES[i % SERVICES.len()];
            let env = ENVS[(i / SERVICES.len()) % ENVS.len()];
            let name = format!("{svc} {env} {i:06}");
            let mut n = match i % 5 {
                0 | 1 => {
                    let mut n = NewItem::new(Kind::ApiKey, name, format!("sk_{env}_{i:032x}"));
                    n.placement = Some(Placement::Header {
                        name: "Authorization".into(),
                    });
                    n
                }
                2 => NewItem::new(Kind::Bearer, name, format!("tok_{i:040x}")),
                3 => {
                    let mut n = NewItem::new(Kind::Basic, name, format!("pw-{i:024x}"));
                    n.username = Some(format!("{svc}-bot"));
                    n
                }
                _ if i % 10 == 4 => {
                    let mut n = NewItem::new(Kind::Oauth2, name, format!("cs_{i:032x}"));
                    n.oauth = Some(OAuthConfig {
                        client_id: format!("client-{i}"),
                        token_url: Some(format!("https://auth.{svc}.example/oauth/token")),
                        ..OAuthConfig::default()
                    });
                    n
                }
                _ => {
                    let mut n = NewItem::new(Kind::Totp, name, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
                    n.issuer = Some(svc.to_owned());
                    n
                }
            };
            n.tags = vec![env.to_owned(), svc.to_owned()];
            n.url = Some(format!("https://api.{svc}.example/v1"));
            if i % 7 == 0 {
                n.expires_at = Some(1_900_000_000 + i as i64 * 3600);
            }
            n
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(count)) = (args.next(), args.next()) else {
        return Err("usage: make_vault PATH COUNT  (password on stdin)".into());
    };
    let count: usize = count.parse()?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = SecretString::from(password.trim_end_matches(['\r', '\n']).to_owned());
    let mut created = Vault::create(
        &PathBuf::from(&path),
        &password,
        CreateOptions {
            kdf: Some(KdfParams::new(46, 1)?),
            keyring: None,
        },
    )?;
    for chunk in items(count).chunks(5_000) {
        created.vault.add_batch(chunk.to_vec())?;
    }
    eprintln!("{path}: {count} items");
    Ok(())
}

//! `keywright import` of credentials (not 2FA) through the CLI binary: the preview, the
//! choice of rows, duplicates, one transaction, and what each format maps to.

use crate::common::Cli;

fn names(cli: &Cli) -> Vec<String> {
    let list = cli.ok(&["list"], "");
    list.as_array()
        .expect("list")
        .iter()
        .map(|i| i["name"].as_str().expect("name").to_owned())
        .collect()
}

/// A `.env` file in a project folder: secrets imported ticked, settings left out unless
/// `--all`, a JWT becomes a bearer token with its expiry, a recognised key gets its
/// service, the project is a tag; importing again finds only duplicates.
#[test]
fn dotenv_import_maps_variables_and_leaves_settings_out() {
    let cli = Cli::new();
    cli.init();
    let project = cli.dir.path().join("billing-api");
    std::fs::create_dir_all(&project).expect("mkdir");
    let env = project.join(".env");
    let stripe = format!("sk_test_{}", "Zx9".repeat(9));
    // exp = 2100-01-01
    let jwt =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMiLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    std::fs::write(
        &env,
        format!(
            "# billing\nexport STRIPE_KEY={stripe}\nSERVICE_TOKEN=\"{jwt}\"\nPORT=8080\n\
             DEBUG=false\nDB_PASSWORD='p@ss # word'\nPUBLIC_URL=https://billing.example.com\n\
             BROKEN=\"never closed\n"
        ),
    )
    .expect("write");
    let f = env.to_str().expect("path");

    let dry = cli.ok(&["import", "dotenv", f, "--dry-run"], "");
    assert_eq!(dry["format"], "dotenv");
    assert_eq!(dry["new"], 6);
    assert_eq!(dry["invalid"], 1);
    assert_eq!(dry["unselected"], 3);
    let rows = dry["rows"].as_array().expect("rows");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["label"].as_str().is_some_and(|l| l.starts_with(name)))
            .unwrap_or_else(|| panic!("row {name}: {dry}"))
    };
    assert_eq!(row("STRIPE_KEY")["kind"], "api_key");
    assert_eq!(row("STRIPE_KEY")["selected"], true);
    assert_eq!(row("SERVICE_TOKEN")["kind"], "bearer");
    assert_eq!(row("PORT")["selected"], false);
    assert_eq!(row("PUBLIC_URL")["selected"], false);
    assert_eq!(row("DB_PASSWORD")["selected"], true);
    assert_eq!(row("BROKEN")["status"], "invalid");
    assert!(
        row("BROKEN")["reason"]
            .as_str()
            .is_some_and(|r| r.contains("never closed")),
        "{dry}"
    );
    assert_eq!(row("STRIPE_KEY")["tags"][0], "billing-api");
    // The preview never carries a value.
    assert!(!dry.to_string().contains(&stripe));
    assert!(!dry.to_string().contains("p@ss"));
    assert!(names(&cli).is_empty(), "a dry run saves nothing");

    let done = cli.ok(&["import", "dotenv", f], "");
    assert_eq!(done["added"], 3);
    let mut got = names(&cli);
    got.sort();
    assert_eq!(got, ["DB_PASSWORD", "SERVICE_TOKEN", "STRIPE_KEY"]);

    // What the item is and holds.
    let show = cli.ok(&["show", "STRIPE_KEY"], "");
    assert_eq!(show["service"], "stripe");
    assert_eq!(show["key_variant"], "test");
    let token = cli.ok(&["show", "SERVICE_TOKEN"], "");
    assert_eq!(token["kind"], "bearer");
    assert!(
        token["expires_at"]
            .as_str()
            .is_some_and(|e| e.starts_with("2100-01-01")),
        "{token}"
    );
    let out = cli
        .cmd()
        .args(["--password-stdin", "show", "DB_PASSWORD", "--reveal"])
        .write_stdin(format!("{}\n", crate::common::PASSWORD))
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("p@ss # word"),
        "quoted values keep their #"
    );

    // Again: the three are duplicates; --all brings in the settings.
    let again = cli.ok(&["import", "dotenv", f, "--all"], "");
    assert_eq!(again["duplicates"], 3);
    assert_eq!(again["added"], 3);
    assert_eq!(names(&cli).len(), 6);
}

/// Text output says what happened and prints the references a committed template would
/// use; --prefix names the project; --tag adds tags.
#[test]
fn dotenv_import_text_prefix_and_tags() {
    let cli = Cli::new();
    cli.init();
    let env = cli.dir.path().join("some.env");
    std::fs::write(
        &env,
        "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD\n",
    )
    .expect("write");
    let out = cli
        .cmd()
        .args(["--password-stdin", "import", "dotenv"])
        .arg(&env)
        .args(["--prefix", "chatbot", "--tag", "work"])
        .write_stdin(format!("{}\n", crate::common::PASSWORD))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Imported 1 item from the .env file;"),
        "{text}"
    );
    assert!(
        text.contains("OPENAI_API_KEY=keywright://OPENAI_API_KEY/secret"),
        "{text}"
    );
    let show = cli.ok(&["show", "OPENAI_API_KEY"], "");
    let tags: Vec<&str> = show["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        tags.contains(&"chatbot") && tags.contains(&"work"),
        "{show}"
    );
    assert_eq!(show["service"], "openai");

    // Flags of other formats are refused by name.
    let msg = cli.err(
        &[
            "import",
            "dotenv",
            env.to_str().expect("p"),
            "--map",
            "name=A",
        ],
        "",
        "invalid_input",
    );
    assert!(msg.contains("--map"), "{msg}");
}

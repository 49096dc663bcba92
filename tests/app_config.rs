//! The desktop app's security configuration, as shipped in `src-tauri/tauri.conf.json`.

use std::collections::HashMap;

fn csp() -> HashMap<String, Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../src-tauri/tauri.conf.json");
    let text = std::fs::read_to_string(path).expect("read tauri.conf.json");
    let conf: serde_json::Value = serde_json::from_str(&text).expect("tauri.conf.json is JSON");
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("a CSP string is set");
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_owned();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

#[test]
fn the_csp_allows_only_the_app_itself() {
    let csp = csp();
    assert_eq!(csp["default-src"], ["'self'"]);
    assert_eq!(
        csp["style-src"],
        ["'self'"],
        "no inline styles or remote sheets"
    );
    assert!(
        !csp.contains_key("script-src"),
        "scripts fall back to 'self' only"
    );
    // Directives that do not fall back to default-src must be set on their own.
    for directive in ["base-uri", "form-action", "object-src", "frame-ancestors"] {
        assert_eq!(
            csp.get(directive).map(Vec::as_slice),
            Some(["'none'".to_owned()].as_slice()),
            "{directive} must be 'none'"
        );
    }
    for sources in csp.values() {
        for s in sources {
            assert!(
                !s.contains("unsafe") && !s.starts_with("https:") && s != "*",
                "a CSP source allows too much: {s}"
            );
        }
    }
}

#[test]
fn the_window_has_no_global_tauri_and_a_frozen_prototype() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../src-tauri/tauri.conf.json");
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    assert_eq!(conf["app"]["security"]["freezePrototype"], true);
}

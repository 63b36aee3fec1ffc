//! The generated runnable examples, run as a user runs them, against a local server: the
//! credentials come from where the official SDKs find them (`HUAWEICLOUD_SDK_AK`/`_SK`, the
//! profile file), or from the example's own token variable, and the request goes out signed
//! with them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The example's executable, built (or found up to date) by cargo with the features the
/// workspace build gives `generated-client`, so `cargo test` reuses what it built. The
/// variables cargo sets for this test are not passed on: build scripts that watch them
/// (`CARGO_MANIFEST_DIR`) would run again, and what depends on them be rebuilt.
fn example(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    for (var, _) in std::env::vars_os() {
        let var = var.to_string_lossy();
        let set_for_the_test = var.starts_with("CARGO_PKG_")
            || var.starts_with("CARGO_BIN_EXE_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_MANIFEST_LINKS",
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
            ]
            .contains(&var.as_ref());
        if set_for_the_test {
            command.env_remove(var.as_ref());
        }
    }
    let out = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "build",
            "--quiet",
            "-p",
            "generated-client",
            "--features",
            "regenerate",
            "--example",
            name,
            "--message-format=json",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "building the example {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let executable = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == name)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from));
    executable.unwrap_or_else(|| panic!("cargo named no executable for {name}: {stdout}"))
}

/// The `osm_cases` example, built once for the tests of this file.
fn osm_cases() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| example("osm_cases")).clone()
}

/// Runs `example` with `operation`, only the environment given (and `PATH`), `home` as the
/// home directory: no credentials of the machine's are found.
async fn run(example: &Path, operation: &str, home: &Path, vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(example);
    command.arg(operation).env_clear().env("HOME", home);
    if let Some(p) = std::env::var_os("PATH") {
        command.env("PATH", p);
    }
    command.envs(vars.iter().copied());
    tokio::task::spawn_blocking(move || command.output().expect("the example runs"))
        .await
        .unwrap()
}

/// What the server received, the one request.
async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), 1, "{received:?}");
    received.remove(0)
}

fn header_of<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

async fn mock() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/servicerequest/cases/CS42/extends-param"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Request-Id", "req-1")
                .set_body_json(serde_json::json!({"error_code": "", "error_msg": "from-the-mock"})),
        )
        .mount(&server)
        .await;
    server
}

/// Runs `show-case-extended-parameters` of case `CS42` against a new mock with `credentials`
/// (variables) and `home`: the example's output, and the one request the mock received.
async fn show_case(home: &Path, credentials: &[(&str, &str)]) -> (Output, Request) {
    let server = mock().await;
    let uri = server.uri();
    let mut vars = vec![("OSM_ENDPOINT", uri.as_str()), ("OSM_CASE_ID", "CS42")];
    vars.extend_from_slice(credentials);
    let out = run(&osm_cases(), "show-case-extended-parameters", home, &vars).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("from-the-mock"), "{stdout}");
    let request = only_request(&server).await;
    (out, request)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_example_signs_with_the_credentials_the_sdks_find() {
    let home = tempfile::tempdir().unwrap();

    // The environment, as the SDKs name it.
    let (out, request) = show_case(
        home.path(),
        &[
            ("HUAWEICLOUD_SDK_AK", "AKFROMENV"),
            ("HUAWEICLOUD_SDK_SK", "secret-from-env"),
            ("HUAWEICLOUD_SDK_DOMAIN_ID", "domain-7"),
        ],
    )
    .await;
    let auth = header_of(&request, "authorization").expect("signed");
    assert!(
        auth.starts_with("SDK-HMAC-SHA256 Access=AKFROMENV, SignedHeaders="),
        "{auth}"
    );
    assert_eq!(header_of(&request, "x-domain-id"), Some("domain-7"));
    assert!(header_of(&request, "x-sdk-date").is_some());
    for output in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(output).contains("secret-from-env"));
    }

    // The profile file, when the environment has none.
    let file = home.path().join("credentials");
    std::fs::write(&file, "[global]\nak = AKFROMFILE\nsk = secret-from-file\n").unwrap();
    let file = file.to_str().unwrap();
    let (_, request) = show_case(home.path(), &[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", file)]).await;
    let auth = header_of(&request, "authorization").expect("signed");
    assert!(
        auth.starts_with("SDK-HMAC-SHA256 Access=AKFROMFILE,"),
        "{auth}"
    );

    // The example's own token goes before them.
    let (_, request) = show_case(
        home.path(),
        &[
            ("OSM_IAM_TOKEN", "iam-token-1"),
            ("HUAWEICLOUD_SDK_AK", "AKFROMENV"),
            ("HUAWEICLOUD_SDK_SK", "secret-from-env"),
        ],
    )
    .await;
    assert_eq!(header_of(&request, "x-auth-token"), Some("iam-token-1"));
    assert_eq!(header_of(&request, "authorization"), None);
}

/// A business failure answered with HTTP 200 is a failure of the example, with the code.
#[tokio::test(flavor = "multi_thread")]
async fn an_example_reports_a_business_failure_and_exits_with_failure() {
    let bin = osm_cases();
    let home = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("X-Auth-Token", "iam-token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"error_code": "OSM.01010015", "error_msg": "This case does not exist."}),
        ))
        .mount(&server)
        .await;
    let out = run(
        &bin,
        "show-case-extended-parameters",
        home.path(),
        &[
            ("OSM_ENDPOINT", &server.uri()),
            ("OSM_IAM_TOKEN", "iam-token-1"),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OSM.01010015"), "{stderr}");
    assert!(!stderr.contains("iam-token-1"), "{stderr}");
}

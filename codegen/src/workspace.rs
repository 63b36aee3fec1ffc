//! The configuration of this repository's own `generated-client`, shared by its build script,
//! the CLI's `regen` command and the drift test, so all three generate the same bytes.

use std::path::{Path, PathBuf};

use crate::Config;

/// The specs of a spec directory: every `.yaml`, `.yml` and `.json` file directly in it, sorted.
pub fn specs(dir: &Path) -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .and_then(|e| e.to_str())
                            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
                })
                .collect()
        })
        .unwrap_or_default();
    specs.sort();
    specs
}

/// The configuration that generates `<root>/generated-client` from `<root>/spec`.
pub fn config(root: &Path) -> Config {
    let mut config = Config::new();
    for s in specs(&root.join("spec")) {
        config.spec(s);
    }
    config
        .out_dir(root.join("generated-client"))
        .crate_name("generated-client")
        .build_script("../build.rs", "../codegen")
        .runtime(crate::Runtime::Path("../codegen/runtime".into()))
        .examples(true)
        .crate_doc(CRATE_DOC);
    config
}

const CRATE_DOC: &str =
    "Typed, validated async clients for Huawei Cloud's service-ticket API (OSM, \
`/v2/servicerequest/...`) and the AICC case API, generated from `spec/osm.yaml` and \
`spec/aicc-case.yaml` by `codegen`. Do not edit: edit the spec and run `cargo build`.

- [`osm`]: service tickets: create a ticket, create associations, operate on a ticket \
(cancel, close, press, delete), modify contact information.
- [`aicc_case`]: AICC (Customer Engagement Center) cases: modify a case.
- [`runtime`]: the HTTP client, authentication (IAM token, AK/SK signing, AICC access token), \
errors, retries and validation.

```no_run
use generated_client::{osm, runtime::Auth};

# async fn demo() -> Result<(), Box<dyn std::error::Error>> {
let client = osm::Client::builder()
    .auth(Auth::iam_token(std::env::var(\"OSM_TOKEN\")?))
    .build()?;
let body = osm::types::CreateCaseRequest::new(
    \"1\",
    \"The ECS instance does not start.\",
    \"83aeb0f2834c4df49826c781d32a963e\",
);
let created = client.create_case(body).x_language(\"en-us\").send().await?;
println!(\"ticket {:?}\", created.incident_id);
# Ok(())
# }
```";

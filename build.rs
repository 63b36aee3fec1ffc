//! The build script of `generated-client` (its manifest says `build = "../build.rs"`).
//!
//! With the `regenerate` feature (the workspace turns it on), it runs the codegen library on
//! every spec in `spec/` and writes `generated-client/` before cargo compiles that crate, so the
//! sources compiled are always the ones the spec generates. A file is written only when its
//! bytes change, and generated files whose source is gone are removed. Without the feature
//! (a consumer outside the workspace) it does nothing: the committed sources are compiled.

fn main() {
    #[cfg(feature = "regenerate")]
    regenerate::run();
}

#[cfg(feature = "regenerate")]
mod regenerate {
    use std::path::{Path, PathBuf};

    /// The specs: every `.yaml`, `.yml` and `.json` file directly in `spec/`, sorted.
    fn specs(dir: &Path) -> Vec<PathBuf> {
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

    pub fn run() {
        let crate_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
        let root = crate_dir.parent().map(Path::to_path_buf).unwrap_or_default();
        let spec_dir = root.join("spec");
        // The directory itself: a spec added or removed reruns the script.
        println!("cargo:rerun-if-changed={}", spec_dir.display());
        let specs = specs(&spec_dir);
        for s in &specs {
            println!("cargo:rerun-if-changed={}", s.display());
        }
        if specs.is_empty() {
            println!("cargo:warning=no spec in {}: nothing to generate", spec_dir.display());
            return;
        }
        let mut config = codegen::Config::new();
        for s in &specs {
            config.spec(s);
        }
        config
            .out_dir(&crate_dir)
            .crate_name("generated-client")
            .build_script("../build.rs", "../codegen")
            .crate_doc(CRATE_DOC);
        match config.write() {
            Ok(report) => {
                for w in &report.warnings {
                    println!("cargo:warning={w}");
                }
            }
            Err(e) => {
                // The generator's message (file, line, JSON pointer), not a panic.
                eprintln!("error: the spec does not generate a client:\n{e}");
                std::process::exit(1);
            }
        }
    }

    const CRATE_DOC: &str = "Typed, validated async clients for Huawei Cloud's service-ticket API (OSM, \
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
let client = osm::Client::new(
    osm::Client::builder()
        .auth(Auth::iam_token(std::env::var(\"OSM_TOKEN\")?))
        .build()?,
);
let body = osm::types::CreateCaseRequest {
    business_type_id: \"1\".into(),
    simple_description: \"The ECS instance does not start.\".into(),
    source_id: \"83aeb0f2834c4df49826c781d32a963e\".into(),
    ..Default::default()
};
let created = client.create_case(body).x_language(\"en-us\").send().await?;
println!(\"ticket {:?}\", created.incident_id);
# Ok(())
# }
```";
}

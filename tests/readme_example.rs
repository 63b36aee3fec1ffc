//! The README's client example compiles against the generated client, and the README shows
//! exactly this code (between the markers below). One error type for building and sending.

use generated_client::{
    osm,
    runtime::{Auth, Error, RetryPolicy},
};

#[allow(dead_code)]
async fn readme_example(ak: String, sk: String, domain_id: String) -> Result<(), Error> {
    // README-BEGIN
    let client = osm::Client::builder() // endpoint preset to osm::servers::CN_SOUTH_1
        .endpoint(osm::servers::AP_SOUTHEAST_3) // or any URL
        .auth(Auth::ak_sk(ak, sk).with_domain_id(domain_id)) // or Auth::iam_token(token)
        .default_header("X-Language", "en-us")
        .retry(RetryPolicy::default()) // idempotent methods only; POST is never retried
        .build()?; // an osm::Client
    let ticket = client
        .create_case(osm::types::CreateCaseRequest::new(
            "1",                                // business_type_id
            "The ECS instance does not start.", // simple_description
            "83aeb0f2834c4df49826c781d32a963e", // source_id
        ))
        .send()
        .await?;
    let case_id = ticket.incident_id.unwrap_or_default();
    client
        .operate_case(case_id, "close", osm::types::OperateCaseRequest::default())
        .send()
        .await?;
    // README-END
    Ok(())
}

#[test]
fn the_readme_shows_this_example() {
    let readme = include_str!("../README.md");
    let source = include_str!("readme_example.rs");
    let begin = source.find("// README-BEGIN\n").unwrap() + "// README-BEGIN\n".len();
    let end = source.find("    // README-END").unwrap();
    for line in source[begin..end].lines() {
        let line = line.strip_prefix("    ").unwrap_or(line);
        assert!(
            readme.lines().any(|l| l == line),
            "README.md lacks the example line {line:?}"
        );
    }
}

//! The README's client example compiles against the generated client, and the README shows
//! exactly this code (between the markers below). One error type for building and sending.

use generated_client::{
    osm,
    runtime::{self, Auth, Error, RetryPolicy},
};

#[allow(dead_code)]
async fn readme_example(
    ak: String,
    sk: String,
    domain_id: String,
    client_id: String,
    client_secret: String,
) -> Result<(), Error> {
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

    // Paging: every ticket, fetched page by page as the stream is read.
    use generated_client::runtime::stream::StreamExt as _;
    let mut tickets = std::pin::pin!(client.list_cases().limit(50).into_stream());
    while let Some(ticket) = tickets.next().await {
        println!("{:?}", ticket?.incident_id);
    }

    // Files: an upload streams from disk; a download streams to disk (or `into_stream()`).
    let form = osm::types::UploadAttachmentForm::new(
        r#"{"fileName":"log.txt","accessoryFrom":"incident"}"#,
    );
    let up = client
        .upload_attachment(form, runtime::Upload::path("log.txt"))
        .send()
        .await?;
    let file = client
        .download_attachment(up.accessory_id.unwrap_or_default())
        .send()
        .await?;
    // Saved under the server's name only if it is a plain file name, and never over an existing
    // file (`save_to(path)` writes, and replaces, a path of your own).
    let saved = file.save_in("downloads").await?;
    println!("saved {}", saved.display());

    // AICC: the access token is fetched, and fetched again before it expires, by the client.
    let aicc = generated_client::aicc_case::Client::builder()
        .endpoint("https://service.besclouds.com/service/AICC__Case/1.0.0")
        .auth(Auth::client_credentials(
            "/baas/auth/v1.0/oauth2/token",
            client_id,
            client_secret,
            "access-token",
        )?)
        .build()?;

    // Fields the typed answer does not model (AICC's `CaseResult` has `resCode` and `resMsg`
    // only; the new case's id, say): the same request, sent as it is, and the raw body.
    let body = generated_client::aicc_case::types::CreateCaseRequest::new(
        generated_client::aicc_case::types::CreateCaseInfo::new("Title", "Text", "T1", false, "C1"),
    );
    let req = aicc.create_case(body).request()?; // validated, not sent
    let resp = aicc.runtime().execute(req).await?; // auth and retries as send(); any status is Ok
    let status = resp.status(); // check it (and resCode) yourself
    let raw = resp.bytes().await?; // the JSON text, e.g. for serde_json::from_slice
    println!("HTTP {status}: {} bytes", raw.len());
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

//! The generated API as a user meets it: required properties cannot be left out silently
//! (types with required fields have a constructor and no `Default`), and one error type
//! serves building a client and sending a request.

use std::marker::PhantomData;

use generated_client::{aicc_case, osm};

/// `true` when `T: Default` (autoref specialization: the first impl applies only then).
struct Probe<T>(PhantomData<T>);
trait ViaDefault {
    fn has_default(&self) -> bool {
        true
    }
}
impl<T: Default> ViaDefault for Probe<T> {}
trait Fallback {
    fn has_default(&self) -> bool {
        false
    }
}
impl<T> Fallback for &Probe<T> {}

macro_rules! has_default {
    ($t:ty) => {
        (&Probe::<$t>(PhantomData)).has_default()
    };
}

#[test]
fn types_with_required_fields_have_no_default_and_a_constructor() {
    // Required fields: no Default (an empty `business_type_id` would pass for a value).
    assert!(!has_default!(osm::types::CreateCaseRequest));
    assert!(!has_default!(osm::types::CreateRelationsRequest));
    assert!(!has_default!(osm::types::CaseSatisfaction));
    assert!(!has_default!(aicc_case::types::ModifyCaseRequest));
    // Every field optional: Default means something.
    assert!(has_default!(osm::types::OperateCaseRequest));
    assert!(has_default!(osm::types::UpdateContactInfoRequest));

    let body = osm::types::CreateCaseRequest::new("1", "does not start", "83aeb0f2");
    assert_eq!(body.business_type_id, "1");
    assert_eq!(body.simple_description, "does not start");
    assert_eq!(body.source_id, "83aeb0f2");
    assert_eq!(body.region_id, None);
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "business_type_id": "1",
            "simple_description": "does not start",
            "source_id": "83aeb0f2"
        })
    );
    let relations = osm::types::CreateRelationsRequest::new(vec!["a".to_string()], "g");
    assert_eq!(relations.related_id_list, ["a"]);
    assert_eq!(relations.group_id, "g");
}

#[test]
fn one_error_type_for_building_and_sending() {
    fn build() -> Result<osm::Client, generated_client::runtime::Error> {
        // `?` on the builder gives the module's client, with the same error as `send()`.
        osm::Client::builder().endpoint("not a url").build()
    }
    let err = build().unwrap_err();
    assert!(
        matches!(err, generated_client::runtime::Error::Config(_)),
        "{err:?}"
    );
}

#[test]
fn request_types_refuse_unknown_fields_and_responses_keep_reading() {
    // A typo in a request the program writes is refused, not dropped.
    let err = serde_json::from_value::<osm::types::CreateCaseRequest>(serde_json::json!({
        "business_type_id": "1",
        "simple_description": "d",
        "source_id": "s",
        "simple_descripton": "typo"
    }))
    .unwrap_err();
    assert!(err.to_string().contains("simple_descripton"), "{err}");
    // A response may grow fields: they are read past.
    let resp: osm::types::CreateCaseResponse =
        serde_json::from_value(serde_json::json!({"incident_id": "1", "new_field": true})).unwrap();
    assert_eq!(resp.incident_id.as_deref(), Some("1"));
}

#[test]
fn regions_by_name() {
    let r = osm::Region::from_name("ap-southeast-3").unwrap();
    assert_eq!(r, osm::Region::AP_SOUTHEAST_3);
    assert_eq!(r.endpoint, osm::servers::AP_SOUTHEAST_3);
    assert_eq!(osm::Region::from_name("AP_SOUTHEAST_3").unwrap(), r);
    assert_eq!(r.to_string(), "ap-southeast-3");
    let err = osm::Region::from_name("mars-1").unwrap_err().to_string();
    assert!(
        err.contains("mars-1") && err.contains("cn-south-1") && err.contains("eu-west-101"),
        "{err}"
    );
    // A region is an endpoint for the builder.
    let client = osm::Client::builder()
        .endpoint(osm::Region::EU_WEST_101)
        .build()
        .unwrap();
    assert_eq!(client.runtime().endpoint(), osm::servers::EU_WEST_101);
    assert_eq!(osm::Region::ALL.len(), osm::servers::ALL.len());
}

/// A `format: password` property never shows in `Debug`: not in its model, not in the
/// request builder that holds the model, not in the runtime request built from it.
#[test]
fn passwords_never_show_in_debug() {
    let secret = "hunter2-SECRET";
    let body = osm::types::VerifyHostRequest::new(22, "root", secret);
    let model = format!("{body:?}");
    assert!(!model.contains(secret), "{model}");
    assert!(model.contains("password: Some(<redacted>)"), "{model}");
    assert!(model.contains("account: \"root\""), "{model}");
    let mut unset = body.clone();
    unset.password = None;
    assert!(format!("{unset:?}").contains("password: None"));

    let detail = osm::types::HostLoginDetail {
        password: Some(secret.into()),
        ..osm::types::HostLoginDetail::new(1)
    };
    assert!(!format!("{detail:?}").contains(secret));

    let client = osm::Client::builder().build().expect("client");
    let call = client.verify_host(7, body);
    let builder = format!("{call:?}");
    assert!(!builder.contains(secret), "{builder}");
    let request = call.request().expect("a valid request");
    let shown = format!("{request:?}");
    assert!(!shown.contains(secret), "{shown}");
    assert!(
        !shown.contains("104, 117, 110"),
        "the bytes of the body: {shown}"
    );
    assert!(shown.contains("bytes>"), "{shown}");
}

/// `password` of verifyHost is `required` and `writeOnly`: an `Option` in the type (no
/// response carries it), but a request without it is refused before anything is sent.
#[test]
fn a_required_write_only_property_is_required_in_requests() {
    use generated_client::runtime::Validate;
    // The constructor takes it, as it takes every property a request must send.
    let body = osm::types::VerifyHostRequest::new(22, "root", "pw");
    assert_eq!(body.password.as_deref(), Some("pw"));
    assert!(body.validate().is_ok());
    // Unset on a value made otherwise (or read from JSON), a request is refused.
    let body = osm::types::VerifyHostRequest {
        password: None,
        ..body
    };
    let errors = body.validate().expect_err("password is missing");
    let paths: Vec<String> = errors.0.iter().map(|v| v.path.clone()).collect();
    assert_eq!(paths, ["password"], "{errors}");
    let client = osm::Client::builder().build().expect("client");
    assert!(client.verify_host(7, body.clone()).request().is_err());

    let mut with = body;
    with.password = Some("x".repeat(1025));
    let errors = with.validate().expect_err("longer than 1024");
    assert_eq!(errors.0[0].path, "password", "{errors}");
    with.password = Some("pw".into());
    assert!(with.validate().is_ok());
}

/// An empty path parameter would change the route (`/openapi/case/{id}` with "" is
/// `/openapi/case/`, createCase's path): it is refused before anything is built.
#[test]
fn an_empty_path_parameter_is_refused() {
    let aicc = aicc_case::Client::builder().build().expect("client");
    let err = aicc.show_case("").request().expect_err("empty id");
    let text = err.to_string();
    assert!(text.contains("path.id"), "{text}");
    assert!(aicc.show_case("7").request().is_ok());
    let osm = osm::Client::builder().build().expect("client");
    assert!(osm.show_case_extended_parameters("").request().is_err());
}

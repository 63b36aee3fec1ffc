//! The spec's servers as constants, and servers with variables as functions.

use generated_client::{aicc_case, osm};

#[test]
fn documented_endpoints_are_constants() {
    assert_eq!(
        osm::servers::CN_SOUTH_1,
        "https://osm.cn-south-1.myhuaweicloud.com"
    );
    assert_eq!(
        osm::servers::AP_SOUTHEAST_3,
        "https://osm.ap-southeast-3.myhuaweicloud.com"
    );
    assert_eq!(
        osm::servers::EU_WEST_101,
        "https://osm.eu-west-101.myhuaweicloud.eu"
    );
    assert_eq!(
        osm::servers::CN_SOUTH_1_SDK,
        "https://osm.cn-south-1.myhuaweicloud.cn"
    );
    assert_eq!(osm::servers::ALL.len(), 4);
    // The client builder starts at the first server.
    let client = osm::Client::new(osm::Client::builder().build().unwrap());
    assert_eq!(
        client.runtime().endpoint().trim_end_matches('/'),
        osm::servers::CN_SOUTH_1
    );
}

#[test]
fn servers_with_variables_are_functions() {
    assert_eq!(
        aicc_case::servers::AICC,
        "https://service.besclouds.com/service/AICC__Case/1.0.0"
    );
    assert_eq!(
        aicc_case::servers::aicc("tenant.example.com"),
        "https://tenant.example.com/service/AICC__Case/1.0.0"
    );
}

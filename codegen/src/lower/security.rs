//! Lowering `components/securitySchemes`: what each scheme is (an API key header, possibly
//! signed, a bearer token, or something the client only documents), with the signing and
//! client-credentials extensions checked at their pointers.

use openapiv3::{APIKeyLocation, ReferenceOr, SecurityScheme};

use crate::diag;
use crate::extensions;
use crate::ir::{SecurityDef, SecurityKind};

use super::Lowerer;

impl Lowerer<'_> {
    /// The security schemes of the components, in spec order (references are skipped).
    pub(crate) fn lower_security(&mut self) -> Vec<SecurityDef> {
        let mut security = Vec::new();
        let Some(c) = &self.spec.doc.components else {
            return security;
        };
        for (name, s) in &c.security_schemes {
            let ReferenceOr::Item(s) = s else {
                continue;
            };
            let pointer = diag::push("/components/securitySchemes", name);
            if let SecurityScheme::HTTP { extensions, .. }
            | SecurityScheme::OAuth2 { extensions, .. }
            | SecurityScheme::OpenIDConnect { extensions, .. } = s
            {
                extensions::signing_algorithm(extensions, false, &pointer, &mut self.sink);
            }
            let (summary, description, kind) = match s {
                SecurityScheme::APIKey {
                    location,
                    name: key,
                    description,
                    extensions,
                } => {
                    let loc = match location {
                        APIKeyLocation::Header => "header",
                        APIKeyLocation::Query => "query",
                        APIKeyLocation::Cookie => "cookie",
                    };
                    if loc == "header" && !crate::naming::is_token(key) {
                        self.sink.error(
                            &diag::push(&pointer, "name"),
                            format!("{key:?} is not a valid HTTP header name"),
                        );
                    }
                    let signing = extensions::signing_algorithm(
                        extensions,
                        loc == "header",
                        &pointer,
                        &mut self.sink,
                    );
                    let kind = if loc == "header" {
                        SecurityKind::ApiKeyHeader {
                            name: key.clone(),
                            signing,
                            client_credentials: extensions::client_credentials(
                                extensions,
                                true,
                                &pointer,
                                &mut self.sink,
                            ),
                        }
                    } else {
                        SecurityKind::Other
                    };
                    (
                        format!("API key in the {loc} `{key}`"),
                        description.clone(),
                        kind,
                    )
                }
                SecurityScheme::HTTP {
                    scheme,
                    description,
                    ..
                } => (
                    format!("HTTP `{scheme}` authentication"),
                    description.clone(),
                    if scheme.eq_ignore_ascii_case("bearer") {
                        SecurityKind::Bearer
                    } else {
                        SecurityKind::Other
                    },
                ),
                SecurityScheme::OAuth2 { description, .. } => (
                    "OAuth 2.0".to_string(),
                    description.clone(),
                    SecurityKind::Other,
                ),
                SecurityScheme::OpenIDConnect { description, .. } => (
                    "OpenID Connect".to_string(),
                    description.clone(),
                    SecurityKind::Other,
                ),
            };
            security.push(SecurityDef {
                name: name.clone(),
                kind,
                summary,
                description,
            });
        }
        security
    }
}

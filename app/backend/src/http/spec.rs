//! Responses every operation can give that the per-route annotations leave out, added to the
//! OpenAPI document in one place (issue 9, schemathesis' "undocumented status code" findings):
//! the guard's 413/414/429 and 500, the extractors' 400 for a path or query value of the wrong
//! type, 422 for a body that is not the documented JSON, and 401 where a token is needed.

use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// Adds the common responses to every operation that does not document them itself.
pub struct CommonResponses;

/// Paths anyone may read without a token.
const OPEN_PATHS: [&str; 2] = ["/api/v1/health", "/api/v1/openapi.json"];

fn error(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ApiError"))),
            )
            .build(),
    )
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| error(description));
}

fn amend(path: &str, op: &mut Operation) {
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if has_params {
        add(
            op,
            "400",
            "`bad_path` or `bad_query`: a path or query value of the wrong type or format",
        );
    }
    if op.request_body.is_some() {
        add(
            op,
            "413",
            "`body_too_large`: the body is over the limit (refused before it is read when \
             Content-Length says so)",
        );
        add(
            op,
            "422",
            "`bad_body`: the body is not JSON of the documented shape",
        );
    }
    if !OPEN_PATHS.contains(&path) {
        add(
            op,
            "401",
            "`unauthorized`: no valid bearer token (Authorization: Bearer <token>)",
        );
    }
    add(
        op,
        "414",
        "`uri_too_long`: the path or the query string is over the limit",
    );
    add(
        op,
        "431",
        "`headers_too_large`: the request headers are over 32 KiB in all",
    );
    add(
        op,
        "429",
        "`rate_limited`: too many requests for this token; the Retry-After header says when to retry",
    );
    add(
        op,
        "500",
        "`internal`: a bug; the request was logged and the backend goes on serving",
    );
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        // Every path but the open ones takes a bearer token (a user's or an agent's).
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from the users file (its SHA-256 is stored there): operators, \
                         viewers, regulators, factory managers, admins and agents (role `agent`).",
                    ))
                    .build(),
            ),
        );
        for (path, item) in openapi.paths.paths.iter_mut() {
            let open = OPEN_PATHS.contains(&path.as_str());
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                amend(path, op);
                if !open {
                    op.security = Some(vec![SecurityRequirement::new(
                        "bearer",
                        Vec::<String>::new(),
                    )]);
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use utoipa::OpenApi as _;

    #[test]
    fn every_operation_documents_the_guard_and_extractor_answers() {
        let doc = serde_json::to_value(super::super::ApiDoc::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let mut seen = 0;
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                let codes = op["responses"].as_object().unwrap();
                for code in ["414", "429", "500"] {
                    assert!(codes.contains_key(code), "{method} {path} lacks {code}");
                }
                let open = super::OPEN_PATHS.contains(&path.as_str());
                assert_eq!(codes.contains_key("401"), !open, "{method} {path} and 401");
                if op
                    .get("parameters")
                    .is_some_and(|p| !p.as_array().unwrap().is_empty())
                {
                    assert!(codes.contains_key("400"), "{method} {path} lacks 400");
                }
                if op.get("requestBody").is_some() {
                    assert!(codes.contains_key("413"), "{method} {path} lacks 413");
                    assert!(codes.contains_key("422"), "{method} {path} lacks 422");
                }
                seen += 1;
            }
        }
        assert!(seen >= 18, "only {seen} operations");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod pattern_tests {
    use utoipa::OpenApi as _;

    /// The documented bbox pattern is the one the filters module states, and the server accepts
    /// what it matches and refuses the rest.
    #[test]
    fn the_documented_bbox_pattern_is_the_servers() {
        let doc = serde_json::to_value(super::super::ApiDoc::openapi()).unwrap();
        let params = doc["paths"]["/api/v1/factories"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let bbox = params.iter().find(|p| p["name"] == "bbox").unwrap();
        assert_eq!(
            bbox["schema"]["pattern"].as_str().unwrap(),
            crate::api::validate::BBOX_PATTERN
        );
        let state = doc["paths"]["/api/v1/actions"]["get"]["parameters"][0].clone();
        let text = state.to_string();
        assert!(
            text.contains("rolled_back") && !text.contains("unknown"),
            "{text}"
        );
    }
}

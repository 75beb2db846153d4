//! Errors as AWS (and what stands in front of it) really answer, including the answers the
//! SDK cannot parse: each comes back as its kind, with a message that names the call, the HTTP
//! status and what the server said, never an empty one.

use crate::common;

use bedrock_auth::testing::{Fault, LocalAws};
use bedrock_auth::{AuthError, AuthManager, ErrorKind};

async fn manager(aws: &LocalAws) -> AuthManager {
    let user = aws.add_user("alice");
    aws.builder()
        .static_credentials(user.access_key_id, user.secret_access_key)
        .max_attempts(1)
        .build()
        .unwrap()
}

async fn converse(manager: &AuthManager) -> AuthError {
    let client = manager.bedrock_client("us-east-1").await.unwrap();
    let err = common::converse(&client).await.unwrap_err();
    manager.classify_error(err, "Bedrock Converse", None)
}

/// An answer, the call it is given to, and what must come of it.
struct Case {
    status: u16,
    content_type: &'static str,
    body: &'static str,
    sts: bool,
    kind: ErrorKind,
    code: Option<&'static str>,
    says: &'static str,
}

const CASES: [Case; 8] = [
    // moto wraps awsQuery errors in <Errors>, which the SDK's STS parser does not expect.
    Case {
        status: 403,
        content_type: "text/xml",
        body: "<ErrorResponse><Errors><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>\
               <Message>The security token included in the request is invalid.</Message>\
               </Error></Errors><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>\
               </ErrorResponse>",
        sts: true,
        kind: ErrorKind::InvalidCredentials,
        code: Some("InvalidClientTokenId"),
        says: "security token included in the request is invalid",
    },
    Case {
        status: 403,
        content_type: "text/xml",
        body: "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The \
               request signature we calculated does not match</Message></Error></Errors>\
               </ErrorResponse>",
        sts: true,
        kind: ErrorKind::InvalidCredentials,
        code: Some("SignatureDoesNotMatch"),
        says: "signature we calculated",
    },
    // A load balancer or proxy with nothing to say.
    Case {
        status: 500,
        content_type: "",
        body: "",
        sts: true,
        kind: ErrorKind::Service,
        code: None,
        says: "no message",
    },
    Case {
        status: 502,
        content_type: "text/html",
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        sts: false,
        kind: ErrorKind::Service,
        code: None,
        says: "HTTP 502",
    },
    // A JSON body with a message and nothing else.
    Case {
        status: 401,
        content_type: "application/json",
        body: r#"{"message":"Invalid API key or credentials"}"#,
        sts: false,
        kind: ErrorKind::InvalidCredentials,
        code: None,
        says: "Invalid API key or credentials",
    },
    Case {
        status: 403,
        content_type: "application/json",
        body: r#"{"Message":"User: arn:aws:iam::123456789012:user/alice is not authorized to perform: bedrock:InvokeModel"}"#,
        sts: false,
        kind: ErrorKind::AccessDenied,
        code: None,
        says: "not authorized",
    },
    Case {
        status: 429,
        content_type: "application/json",
        body: "{}",
        sts: false,
        kind: ErrorKind::Throttled,
        code: None,
        says: "no message",
    },
    // The code in the JSON body only, in its long form.
    Case {
        status: 400,
        content_type: "application/x-amz-json-1.1",
        body: r#"{"__type":"com.amazon.coral.service#ExpiredTokenException","message":"The security token included in the request is expired"}"#,
        sts: false,
        kind: ErrorKind::ExpiredCredentials,
        code: Some("ExpiredTokenException"),
        says: "is expired",
    },
];

#[tokio::test]
async fn unparsed_answers_come_back_as_their_kind_with_the_status_and_what_was_said() {
    let aws = LocalAws::start().await.unwrap();
    let manager = manager(&aws).await;
    for case in &CASES {
        aws.set_fault(Fault::Raw {
            status: case.status,
            content_type: case.content_type,
            body: case.body,
        });
        let err = if case.sts {
            manager.validate().await.unwrap_err()
        } else {
            converse(&manager).await
        };
        let context = format!("HTTP {} {:?}: {err}", case.status, case.body);
        assert_eq!(err.kind(), case.kind, "{context}");
        assert_eq!(err.code(), case.code, "{context}");
        assert_eq!(err.http_status(), Some(case.status), "{context}");
        let operation = if case.sts {
            "GetCallerIdentity"
        } else {
            "Converse"
        };
        assert!(err.message().contains(operation), "{context}");
        assert!(
            err.message().contains(&format!("HTTP {}", case.status)),
            "{context}"
        );
        assert!(err.message().contains(case.says), "{context}");
        assert!(!err.message().ends_with(": "), "{context}");
        assert!(!err.hint().is_empty(), "{context}");
    }
}

#[tokio::test]
async fn the_request_id_is_kept() {
    let aws = LocalAws::start().await.unwrap();
    let manager = manager(&aws).await;
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "text/xml",
        body: CASES[0].body,
    });
    let err = manager.validate().await.unwrap_err();
    assert_eq!(
        err.request_id(),
        Some("7a62c49f-347e-4fc4-9331-6e8eEXAMPLE"),
        "{err}"
    );
    assert!(err.message().contains("7a62c49f"), "{err}");
}

/// An operation that takes no API key is the wrong kind of credentials for the call, not an IAM
/// policy: `invalid_config`, with a hint that says to use SigV4 credentials.
#[tokio::test]
async fn an_operation_that_takes_no_api_key_says_to_sign_with_sigv4() {
    let aws = LocalAws::start().await.unwrap();
    let user = aws.add_user("keyed");
    let manager = aws
        .builder()
        .api_key(aws.add_api_key(&user))
        .build()
        .unwrap();
    aws.set_fault(Fault::Raw {
        status: 403,
        content_type: "application/json",
        body: r#"{"__type":"AccessDeniedException","message":"This operation does not support API Keys"}"#,
    });
    let err = common::converse_with(&manager).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    assert!(
        err.message().contains("does not take a Bedrock API key"),
        "{err}"
    );
    assert!(err.hint().contains("SigV4"), "{err}");
    assert!(!err.hint().contains("IAM policy"), "{err}");
}

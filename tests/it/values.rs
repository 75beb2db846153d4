//! The validated value types: valid input is accepted and round-trips through `Display`; each
//! rule violation is rejected with its own `Rule`, and the error names the kind of value.

use bedrock_auth::{
    AccessKeyId, EndpointUrl, ExternalId, MfaSerial, ProfileName, Region, RoleArn, SessionDuration,
    SessionName, error::Rule, error::ValueError, error::ValueKind,
};
use proptest::prelude::*;

const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];
const NAME_CHARS: &str = "[A-Za-z0-9+=,.@_-]";

fn rule_of<T: std::str::FromStr<Err = ValueError>>(input: &str) -> Rule {
    match input.parse::<T>() {
        Ok(_) => panic!("{input:?} was accepted"),
        Err(err) => err.rule(),
    }
}

fn role_name() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{NAME_CHARS}{{1,64}}")).unwrap()
}

fn role_path() -> impl Strategy<Value = String> {
    // `/` or `/seg/.../` of printable ASCII other than `/`.
    prop::collection::vec("[!-.0-~]{1,12}", 0..4).prop_map(|segs| {
        segs.iter()
            .fold(String::from("/"), |path, seg| path + seg + "/")
    })
}

proptest! {
    #[test]
    fn valid_role_arns_are_accepted(
        partition in prop::sample::select(&PARTITIONS[..]),
        account in "[0-9]{12}",
        path in role_path(),
        name in role_name(),
    ) {
        let arn = format!("arn:{partition}:iam::{account}:role{path}{name}");
        let parsed: RoleArn = arn.parse().unwrap();
        prop_assert_eq!(parsed.as_str(), arn.as_str());
        prop_assert_eq!(parsed.partition(), partition);
        prop_assert_eq!(parsed.account_id(), account.as_str());
        prop_assert_eq!(parsed.path(), path.as_str());
        prop_assert_eq!(parsed.role_name(), name.as_str());
        prop_assert_eq!(parsed.to_string().parse::<RoleArn>().unwrap(), parsed);
    }

    #[test]
    fn role_arn_account_must_have_12_digits(account in "[0-9]{0,11}|[0-9]{13,20}|[0-9]{5}[a-z][0-9]{6}") {
        let arn = format!("arn:aws:iam::{account}:role/Bedrock");
        prop_assert_eq!(rule_of::<RoleArn>(&arn), Rule::AccountId);
    }

    #[test]
    fn role_name_longer_than_64_is_rejected(name in proptest::string::string_regex(&format!("{NAME_CHARS}{{65,100}}")).unwrap()) {
        let arn = format!("arn:aws:iam::123456789012:role/{name}");
        prop_assert_eq!(rule_of::<RoleArn>(&arn), Rule::RoleNameLength);
    }

    #[test]
    fn role_name_with_a_foreign_char_is_rejected(
        name in role_name(),
        bad in "[ !#$%&*()\\[\\]{}<>?;'\"|~`^]",
    ) {
        let arn = format!("arn:aws:iam::123456789012:role/{name}{bad}");
        prop_assert_eq!(rule_of::<RoleArn>(&arn), Rule::RoleNameChar);
    }

    #[test]
    fn unknown_partitions_are_rejected(partition in "[a-z-]{1,12}") {
        prop_assume!(!PARTITIONS.contains(&partition.as_str()));
        let arn = format!("arn:{partition}:iam::123456789012:role/Bedrock");
        prop_assert_eq!(rule_of::<RoleArn>(&arn), Rule::ArnPartition);
    }

    #[test]
    fn valid_regions_are_accepted(region in "[a-z]{2,4}(-[a-z]{2,9}){1,2}-[0-9]{1,2}") {
        let parsed: Region = region.parse().unwrap();
        prop_assert_eq!(parsed.as_str(), region.as_str());
        prop_assert_eq!(parsed.to_string(), region);
    }

    #[test]
    fn regions_with_foreign_chars_are_rejected(prefix in "[a-z]{2}", bad in "[A-Z_ ./]") {
        let region = format!("{prefix}{bad}east-1");
        prop_assert_eq!(rule_of::<Region>(&region), Rule::InvalidChar { at: 2 });
    }

    #[test]
    fn valid_session_names_are_accepted(name in proptest::string::string_regex(&format!("{NAME_CHARS}{{2,64}}")).unwrap()) {
        let parsed: SessionName = name.parse().unwrap();
        prop_assert_eq!(parsed.as_str(), name.as_str());
    }

    #[test]
    fn session_names_out_of_length_are_rejected(name in proptest::string::string_regex(&format!("{NAME_CHARS}|{NAME_CHARS}{{65,90}}")).unwrap()) {
        let expected = if name.len() < 2 { Rule::TooShort { min: 2 } } else { Rule::TooLong { max: 64 } };
        prop_assert_eq!(rule_of::<SessionName>(&name), expected);
    }

    #[test]
    fn session_names_with_foreign_chars_are_rejected(
        head in proptest::string::string_regex(&format!("{NAME_CHARS}{{1,10}}")).unwrap(),
        bad in "[ /:!#$%&*()]",
    ) {
        let name = format!("{head}{bad}x");
        prop_assert_eq!(rule_of::<SessionName>(&name), Rule::InvalidChar { at: head.len() });
    }

    #[test]
    fn valid_external_ids_are_accepted(id in "[A-Za-z0-9+=,./@:_-]{2,1224}") {
        prop_assert!(id.parse::<ExternalId>().is_ok());
    }

    #[test]
    fn external_ids_out_of_length_or_charset_are_rejected(id in "[A-Za-z0-9]{1225,1300}") {
        prop_assert_eq!(rule_of::<ExternalId>(&id), Rule::TooLong { max: 1224 });
        prop_assert_eq!(rule_of::<ExternalId>(&format!("{id} ")), Rule::InvalidChar { at: id.len() });
    }

    #[test]
    fn valid_access_key_ids_are_accepted(id in "[A-Z0-9]{16,128}") {
        let parsed: AccessKeyId = id.parse().unwrap();
        prop_assert_eq!(parsed.as_str(), id.as_str());
    }

    #[test]
    fn access_key_ids_out_of_length_are_rejected(id in "[A-Z0-9]{1,15}|[A-Z0-9]{129,140}") {
        let expected = if id.len() < 16 { Rule::TooShort { min: 16 } } else { Rule::TooLong { max: 128 } };
        prop_assert_eq!(rule_of::<AccessKeyId>(&id), expected);
    }

    #[test]
    fn valid_profile_names_are_accepted(name in "[A-Za-z0-9_/.%@:+-]{1,256}") {
        let parsed: ProfileName = name.parse().unwrap();
        prop_assert_eq!(parsed.as_str(), name.as_str());
    }

    #[test]
    fn profile_names_with_spaces_or_brackets_are_rejected(head in "[a-z]{1,8}", bad in "[ \\[\\]#;\t]") {
        let name = format!("{head}{bad}");
        prop_assert_eq!(rule_of::<ProfileName>(&name), Rule::InvalidChar { at: head.len() });
    }

    #[test]
    fn durations_in_range_are_accepted(secs in 900u64..=43_200) {
        let duration = SessionDuration::from_secs(secs).unwrap();
        prop_assert_eq!(u64::from(duration.as_secs()), secs);
        prop_assert_eq!(secs.to_string().parse::<SessionDuration>().unwrap(), duration);
        prop_assert_eq!(SessionDuration::try_from(std::time::Duration::from_secs(secs)).unwrap(), duration);
    }

    #[test]
    fn durations_out_of_range_are_rejected(secs in prop_oneof![0u64..900, 43_201u64..10_000_000]) {
        let err = SessionDuration::from_secs(secs).unwrap_err();
        prop_assert_eq!(err.rule(), Rule::DurationRange);
        let shown = secs.to_string();
        prop_assert_eq!(err.value(), Some(shown.as_str()));
    }

    #[test]
    fn valid_mfa_serials_are_accepted(serial in "[A-Za-z0-9+=/:,.@_-]{9,256}") {
        prop_assert!(serial.parse::<MfaSerial>().is_ok());
    }

    #[test]
    fn valid_endpoints_are_accepted(
        scheme in "https?",
        host in "[a-z0-9.-]{1,30}",
        port in proptest::option::of(1u16..),
        path in "(/[a-z0-9]{0,8}){0,3}",
    ) {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let url = format!("{scheme}://{host}{port}{path}");
        let parsed: EndpointUrl = url.parse().unwrap();
        prop_assert_eq!(parsed.is_plain_http(), scheme == "http");
    }
}

#[test]
fn role_arn_field_rules() {
    let cases = [
        ("", Rule::Empty),
        ("aws:iam::123456789012:role/Bedrock", Rule::ArnPrefix),
        ("arn:aws:iam::123456789012", Rule::ArnFields),
        ("arn:aws:sts::123456789012:role/Bedrock", Rule::ArnService),
        (
            "arn:aws:iam:us-east-1:123456789012:role/Bedrock",
            Rule::ArnRegion,
        ),
        ("arn:aws:iam::123456789012:user/alice", Rule::NotARole),
        ("arn:aws:iam::123456789012:role", Rule::NotARole),
        ("arn:aws:iam::123456789012:role/", Rule::RoleNameLength),
        ("arn:aws:iam::123456789012:role/a b/Bedrock", Rule::RolePath),
        (
            "arn:aws:iam::123456789012:role/Bedrock!",
            Rule::RoleNameChar,
        ),
    ];
    for (input, rule) in cases {
        assert_eq!(rule_of::<RoleArn>(input), rule, "{input:?}");
    }
    let long_path = format!("arn:aws:iam::123456789012:role/{}/Bedrock", "p".repeat(511));
    assert_eq!(rule_of::<RoleArn>(&long_path), Rule::RolePath);
}

#[test]
fn region_shape_rules() {
    let cases = [
        ("", Rule::Empty),
        ("useast1", Rule::RegionShape),
        ("us-1", Rule::RegionShape),
        ("us-east", Rule::RegionShape),
        ("us--east-1", Rule::RegionShape),
        ("-us-east-1", Rule::RegionShape),
        ("us-east-1-", Rule::RegionShape),
        ("1s-east-1", Rule::RegionShape),
        ("us-ea5t-1", Rule::RegionShape),
        ("us-east-1a", Rule::RegionShape),
        ("US-EAST-1", Rule::InvalidChar { at: 0 }),
        (
            "aaaaaaaaaa-bbbbbbbbbb-cccccccccc-1",
            Rule::TooLong { max: 32 },
        ),
    ];
    for (input, rule) in cases {
        assert_eq!(rule_of::<Region>(input), rule, "{input:?}");
    }
    for real in [
        "us-east-1",
        "us-gov-west-1",
        "eu-central-2",
        "ap-southeast-7",
        "eusc-de-east-1",
        "us-isob-east-1",
        "cn-north-1",
    ] {
        assert!(real.parse::<Region>().is_ok(), "{real}");
    }
}

#[test]
fn endpoint_rules() {
    assert_eq!(rule_of::<EndpointUrl>(""), Rule::Empty);
    assert_eq!(
        rule_of::<EndpointUrl>("127.0.0.1:4566"),
        Rule::EndpointScheme
    );
    assert_eq!(rule_of::<EndpointUrl>("ftp://host"), Rule::EndpointScheme);
    assert_eq!(rule_of::<EndpointUrl>("http://"), Rule::EndpointHost);
    assert_eq!(rule_of::<EndpointUrl>("http://:80"), Rule::EndpointHost);
    assert_eq!(
        rule_of::<EndpointUrl>("http://local host"),
        Rule::EndpointHost
    );
    let err = "https://admin:hunter2@proxy.internal"
        .parse::<EndpointUrl>()
        .unwrap_err();
    assert_eq!(err.rule(), Rule::EndpointUserInfo);
    assert_eq!(err.value(), None);
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn duration_inputs() {
    assert_eq!(SessionDuration::default(), SessionDuration::DEFAULT);
    assert_eq!(SessionDuration::DEFAULT.as_secs(), 3600);
    assert_eq!("7200s".parse::<SessionDuration>().unwrap().as_secs(), 7200);
    assert_eq!(rule_of::<SessionDuration>("two hours"), Rule::DurationRange);
    assert_eq!(rule_of::<SessionDuration>("-900"), Rule::DurationRange);
    let fractional = std::time::Duration::from_millis(900_500);
    assert_eq!(
        SessionDuration::try_from(fractional).unwrap_err().rule(),
        Rule::DurationRange
    );
    assert_eq!(SessionDuration::MIN.as_secs(), 900);
    assert_eq!(
        SessionDuration::MAX.as_duration(),
        std::time::Duration::from_secs(43_200)
    );
}

#[test]
fn const_constructors_match_parsing() {
    const ROLE: RoleArn = RoleArn::from_static("arn:aws-us-gov:iam::123456789012:role/ops/Bedrock");
    const REGION: Region = Region::from_static("us-gov-west-1");
    const DURATION: SessionDuration = SessionDuration::from_static_secs(43_200);
    assert_eq!(ROLE, ROLE.as_str().parse().unwrap());
    assert_eq!(ROLE.path(), "/ops/");
    assert_eq!(REGION, "us-gov-west-1".parse().unwrap());
    assert_eq!(DURATION, SessionDuration::MAX);
}

#[test]
fn errors_name_the_kind_the_value_and_an_example() {
    let err = "arn:aws:iam::42:role/Bedrock"
        .parse::<RoleArn>()
        .unwrap_err();
    assert_eq!(err.kind(), ValueKind::RoleArn);
    assert_eq!(
        err.to_string(),
        "invalid role ARN `arn:aws:iam::42:role/Bedrock`: the account id must be exactly 12 digits \
         (for example `arn:aws:iam::123456789012:role/BedrockAccess`)"
    );
    let err = "orders service".parse::<SessionName>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid role session name `orders service`: ` ` at position 6 is not allowed; use only \
         letters, digits and + = , . @ _ - (for example `orders-service`)"
    );
    let err = "x".parse::<SessionName>().unwrap_err();
    assert!(
        err.to_string().contains("must be at least 2 characters"),
        "{err}"
    );
}

#[test]
fn external_id_errors_never_show_the_value() {
    let err = "partner secret 7f3a".parse::<ExternalId>().unwrap_err();
    assert_eq!(err.value(), None);
    assert_eq!(err.rule(), Rule::InvalidChar { at: 7 });
    assert!(!err.to_string().contains("partner"), "{err}");
    assert!(!format!("{err:?}").contains("partner"), "{err:?}");
}

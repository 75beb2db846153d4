//! The freed-memory scan: is any secret left in memory this crate frees?
//!
//! A global allocator searches every block, as it is freed, for planted secrets (a user's
//! secret access key, a literal secret in a config file, an external id, an MFA code) and for
//! the secrets the local server issues (assumed-role secrets and session tokens, long-term and
//! short-term Bedrock API keys, recognized by their shapes). For each find it records where
//! the block was freed: the innermost frame that is not the standard library names the crate
//! whose code freed it.
//!
//! The flows run against the embedded local AWS in a child process (this binary again), so
//! that the server's own handling of the secrets is not counted: static keys, assume role with
//! MFA and an external id, a config file with a literal secret, short-term API-key generation,
//! and API-key mode with a long-term and a short-term key.
//!
//! It fails if a block freed by this crate's own code held a secret, and prints what the
//! dependencies leave (README, known limits). Run it alone with
//! `cargo test --test freed_memory`.
//!
//! The only unsafe code of the project is here: an allocator must read the memory it frees.

#![allow(unsafe_code)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::backtrace::Backtrace;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::Mutex;
use std::time::Duration;

use bedrock_auth::testing::Sandbox;
use bedrock_auth::{AuthConfig, AuthManager, ExposeSecret, RoleArn, SecretString};

// ----- the planted secrets --------------------------------------------------------------

const USER_KEY_ID: &str = "AKIAFREEDSCAN0000001";
const USER_SECRET: &str = "FreedScanUserSecret/wJalrXUtnFEMIK7MDENG0";
const CONFIG_KEY_ID: &str = "AKIAFREEDSCAN0000002";
const CONFIG_SECRET: &str = "FreedScanConfigSecret/bPxRfiCYEXAMPLEKEY9";
const EXTERNAL_ID: &str = "ext-FreedScan-3b9d2e71";
const MFA_SERIAL: &str = "arn:aws:iam::123456789012:mfa/freed-scan";
const MFA_CODE: &str = "402918";
const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::123456789012:role/FreedScan");

/// What is searched for: fixed secrets, and prefixes followed by at least `hex` hex digits
/// (the shapes of what the local server issues), so no secret needs to be known in advance.
struct Needle {
    what: &'static str,
    bytes: &'static [u8],
    hex: usize,
}

const NEEDLES: [Needle; 10] = [
    Needle {
        what: "secret access key",
        bytes: USER_SECRET.as_bytes(),
        hex: 0,
    },
    Needle {
        what: "literal secret of a config file",
        bytes: CONFIG_SECRET.as_bytes(),
        hex: 0,
    },
    Needle {
        what: "external id",
        bytes: EXTERNAL_ID.as_bytes(),
        hex: 0,
    },
    Needle {
        what: "MFA code",
        bytes: b"TokenCode=402918",
        hex: 0,
    },
    Needle {
        what: "MFA code",
        bytes: MFA_CODE.as_bytes(),
        hex: 0,
    },
    // The local server's assumed-role secret (`temp/<hex>/n`) and session token
    // (`token/<hex>/<hex>/n`), and its long-term API keys (`ABSKlocal<hex>`).
    Needle {
        what: "assumed-role secret",
        bytes: b"temp/",
        hex: 16,
    },
    Needle {
        what: "session token",
        bytes: b"token/",
        hex: 16,
    },
    Needle {
        what: "long-term API key",
        bytes: b"ABSKlocal",
        hex: 16,
    },
    // A short-term key: the base64 of `bedrock.amazonaws.com/?Action=CallWithBearerToken`
    // after its prefix, and its signature once decoded.
    Needle {
        what: "short-term API key",
        bytes: b"bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",
        hex: 0,
    },
    Needle {
        what: "short-term API key (decoded signature)",
        bytes: b"X-Amz-Signature=",
        hex: 64,
    },
];

fn find(haystack: &[u8]) -> Option<&'static Needle> {
    NEEDLES.iter().find(|needle| contains(haystack, needle))
}

fn contains(haystack: &[u8], needle: &Needle) -> bool {
    let (first, len) = (needle.bytes[0], needle.bytes.len() + needle.hex);
    if haystack.len() < len {
        return false;
    }
    let mut at = 0;
    while at + len <= haystack.len() {
        match haystack[at..=haystack.len() - len]
            .iter()
            .position(|b| *b == first)
        {
            None => return false,
            Some(offset) => {
                let start = at + offset;
                let candidate = &haystack[start..start + len];
                if candidate.starts_with(needle.bytes)
                    && candidate[needle.bytes.len()..]
                        .iter()
                        .all(u8::is_ascii_hexdigit)
                {
                    return true;
                }
                at = start + 1;
            }
        }
    }
    false
}

// ----- the allocator --------------------------------------------------------------------

/// A block freed with a secret in it, and where.
struct Find {
    what: &'static str,
    size: usize,
    backtrace: Backtrace,
}

static FINDS: Mutex<Vec<Find>> = Mutex::new(Vec::new());

thread_local! {
    /// Set while this thread records a find: what that allocates is not scanned.
    static RECORDING: Cell<bool> = const { Cell::new(false) };
}

struct Scanner;

impl Scanner {
    /// Searches a block about to be freed.
    ///
    /// # Safety
    /// `ptr` must point to `size` initialized-or-not bytes owned by the caller (a block being
    /// freed); they are only read as bytes.
    unsafe fn scan(ptr: *mut u8, size: usize) {
        if RECORDING.with(Cell::get) {
            return;
        }
        // SAFETY: the block is the caller's, `size` bytes long, and still allocated.
        let block = unsafe { std::slice::from_raw_parts(ptr, size) };
        if let Some(needle) = find(block) {
            RECORDING.with(|r| r.set(true));
            let backtrace = Backtrace::force_capture();
            if let Ok(mut finds) = FINDS.lock() {
                finds.push(Find {
                    what: needle.what,
                    size,
                    backtrace,
                });
            }
            RECORDING.with(|r| r.set(false));
        }
    }
}

// SAFETY: every call is passed to `System`; a block is read and zeroed just before it is
// freed, while it is still the caller's; a reallocation is an allocation, a copy and a free,
// so the old block is scanned too.
unsafe impl GlobalAlloc for Scanner {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe {
            Self::scan(ptr, layout.size());
            // Scrubbed once scanned, so that a block handed out again carries nothing of its
            // last owner: each find is what the block's own owner left in it.
            std::ptr::write_bytes(ptr, 0, layout.size());
            System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static SCANNER: Scanner = Scanner;

// ----- attribution ----------------------------------------------------------------------

/// Whose code freed the block: the innermost frame of this crate, of an AWS crate (`aws_*`) or
/// of this test. Frames of the standard library and of the containers and runtimes below them
/// (`bytes`, `hashbrown`, `tokio`, ...) are passed over, so a buffer dropped by a function of
/// this crate counts as this crate's, whatever type held it.
fn freed_by(backtrace: &Backtrace) -> String {
    let text = backtrace.to_string();
    let mut fallback = None;
    for line in text.lines() {
        let line = line.trim();
        // Frames read `N: path::to::function`; `at file:line` lines follow.
        if line.starts_with("at ") || line.contains("freed_memory::Scanner") {
            continue;
        }
        let Some((_, symbol)) = line.split_once(": ") else {
            continue;
        };
        let krate = symbol
            .trim_start_matches('<')
            .split("::")
            .next()
            .unwrap_or_default();
        match krate {
            "bedrock_auth" => return krate.to_owned(),
            "freed_memory" => return "(this test)".to_owned(),
            aws if aws.starts_with("aws_") => return aws.to_owned(),
            "std" | "core" | "alloc" | "backtrace" | "" => {}
            other if other.starts_with('_') => {}
            other => {
                fallback.get_or_insert_with(|| other.to_owned());
            }
        }
    }
    fallback.unwrap_or_else(|| "unknown".to_owned())
}

/// The first frames of this crate and below, for the report.
fn frames(backtrace: &Backtrace) -> String {
    backtrace
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("at ") && l.contains("::"))
        .filter(|l| !l.contains(" std::") && !l.contains(" core::") && !l.contains(" alloc::"))
        .filter(|l| !l.contains("freed_memory::Scanner"))
        .take(4)
        .collect::<Vec<_>>()
        .join(" <- ")
}

// ----- the server, in a child process ---------------------------------------------------

const SERVER_MARKER: &str = "BEDROCK_AUTH_FREED_SCAN_SERVER";

/// The child: the local AWS with the planted user, a second user for the config file, a role
/// that wants the external id and the MFA code, and a long-term API key. Prints the endpoint
/// and the key, then serves until its stdin closes.
fn serve() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let aws = bedrock_auth::testing::LocalAws::start()
            .await
            .expect("server");
        let user = aws.add_user_with_key(
            "123456789012",
            "freed-scan",
            USER_KEY_ID.parse().expect("key id"),
            SecretString::from(USER_SECRET),
        );
        aws.add_user_with_key(
            "123456789012",
            "freed-scan-config",
            CONFIG_KEY_ID.parse().expect("key id"),
            SecretString::from(CONFIG_SECRET),
        );
        aws.add_role(
            bedrock_auth::testing::RoleSpec::new(ROLE)
                .trust(user.arn.clone())
                .external_id(EXTERNAL_ID)
                .require_mfa(MFA_SERIAL, MFA_CODE),
        );
        let key = aws.add_api_key(&user);
        println!("{} {}", aws.endpoint_url(), key.expose_secret());
        std::io::stdout().flush().expect("stdout");
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        })
        .await
        .expect("stdin");
    });
}

// ----- the flows ------------------------------------------------------------------------

fn sandbox() -> Sandbox {
    Sandbox::new()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .http_client(aws_smithy_http_client::Builder::new().build_http())
}

async fn flows(endpoint: &str, long_term_key: SecretString) {
    let builder = || {
        AuthManager::builder()
            .region("us-east-1")
            .endpoint_url(endpoint)
    };

    // Static keys: validate, a Converse call, a short-term API key.
    let manager = builder()
        .static_credentials(USER_KEY_ID, SecretString::from(USER_SECRET))
        .sandbox(sandbox())
        .build()
        .expect("static");
    manager.validate().await.expect("static validate");
    common::converse_with(&manager)
        .await
        .expect("static converse");
    let short_term = manager
        .bedrock_api_key("us-east-1", Duration::from_secs(900))
        .await
        .expect("short-term key");

    // Assume role with MFA and an external id: validate, Converse, the credentials themselves.
    let role = builder()
        .assume_role(ROLE)
        .external_id(EXTERNAL_ID)
        .mfa(MFA_SERIAL, || async {
            Ok::<_, bedrock_auth::error::BoxError>(SecretString::from(MFA_CODE))
        })
        .source_static(USER_KEY_ID, SecretString::from(USER_SECRET))
        .sandbox(sandbox())
        .build()
        .expect("role");
    role.validate().await.expect("role validate");
    common::converse_with(&role).await.expect("role converse");
    // The same through the one shared client, with the tenant's override.
    let shared = common::plain_http();
    common::converse_as(&shared, &role, "eu-west-1")
        .await
        .expect("role converse, shared client");
    drop(role.credentials().await.expect("role credentials"));
    drop(
        role.bedrock_api_key("us-east-1", Duration::from_secs(900))
            .await
            .expect("role short-term key"),
    );

    // A config file with a literal secret.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("auth.toml");
    std::fs::write(
        &file,
        format!(
            "mode = \"static\"\nregion = \"us-east-1\"\nendpoint_url = \"{endpoint}\"\n\
             access_key_id = \"{CONFIG_KEY_ID}\"\nsecret_access_key = \"{CONFIG_SECRET}\"\n"
        ),
    )
    .expect("config file");
    let config = AuthConfig::from_file(&file)
        .expect("config")
        .sandbox(sandbox());
    let from_file = AuthManager::from_config(&config).expect("from_config");
    from_file.validate().await.expect("config validate");
    common::converse_with(&from_file)
        .await
        .expect("config converse");
    drop(config);

    // API-key mode: the long-term key, then the short-term one made above.
    for key in [long_term_key, short_term.token().clone()] {
        let keyed = builder()
            .api_key(key)
            .sandbox(sandbox())
            .build()
            .expect("api key");
        keyed.validate().await.expect("api key validate");
        common::converse_with(&keyed)
            .await
            .expect("api key converse");
        common::converse_as(&shared, &keyed, "us-east-1")
            .await
            .expect("api key converse, shared client");
    }
    drop(short_term);
    drop((manager, from_file));
}

fn main() {
    if std::env::var_os(SERVER_MARKER).is_some() {
        serve();
        return;
    }
    let mut child = std::process::Command::new(std::env::current_exe().expect("own path"))
        .env(SERVER_MARKER, "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the server process");
    let (endpoint, key) = {
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server's first line");
        let (endpoint, key) = line.trim().split_once(' ').expect("endpoint and key");
        let parsed = (endpoint.to_owned(), SecretString::from(key));
        zeroize::Zeroize::zeroize(&mut line);
        parsed
    };
    // Only what the flows free counts.
    FINDS.lock().expect("finds").clear();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(flows(&endpoint, key));
    drop(runtime);
    drop(child.stdin.take());
    let _ = child.wait();

    // The report: finds by crate and secret.
    let finds = std::mem::take(&mut *FINDS.lock().expect("finds"));
    let mut by_crate: BTreeMap<(String, &str), (usize, usize, String)> = BTreeMap::new();
    for find in &finds {
        let krate = freed_by(&find.backtrace);
        let entry = by_crate
            .entry((krate, find.what))
            .or_insert_with(|| (0, 0, frames(&find.backtrace)));
        entry.0 += 1;
        entry.1 += find.size;
    }
    println!("blocks freed holding a secret, by the crate whose code freed them:");
    for ((krate, what), (count, bytes, example)) in &by_crate {
        println!("  {krate:<24} {what:<40} {count:>4} blocks, {bytes:>7} bytes  e.g. {example}");
    }
    println!("{} blocks in all", finds.len());
    let ours: Vec<_> = by_crate
        .iter()
        .filter(|((krate, _), _)| krate == "bedrock_auth")
        .collect();
    if !ours.is_empty() {
        eprintln!("FAILED: blocks freed by bedrock_auth's own code held secrets:");
        for ((_, what), (count, _, example)) in ours {
            eprintln!("  {what}: {count} blocks, e.g. {example}");
        }
        std::process::exit(1);
    }
}

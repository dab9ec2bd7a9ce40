//! `portico`: one binary for every node and every administrative task.

// A command-line program talks to its user on standard output.
#![allow(clippy::print_stdout)]

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use portico::{admin, app, config::Config, demo, serve};
use portico_core::{Clock, SystemClock};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "Portico — the open-source e-government platform",
    long_about = "Portico — the open-source e-government platform.\n\n\
        Configuration comes from environment variables (all optional):\n\
        PORTICO_LISTEN, PORTICO_DATA_DIR, DATABASE_URL, PORTICO_BASE_URL, PORTICO_SMTP_URL, PORTICO_SMS_URL …\n\
        See the README for the full list."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a node: the web pages, the API and background jobs.
    Serve,
    /// Apply database migrations, then exit.
    Migrate,
    /// Seed demo data (Sofia and its 24 districts, Burgas, Veliko Tarnovo, Chelopech, demo accounts) and serve.
    Demo(DemoArgs),
    /// Work with the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check signed evidence offline.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Onboard administrations, units and staff.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// eDelivery's keys.
    #[command(subcommand)]
    Delivery(DeliveryCommand),
    /// The registry exchange's demo base registers.
    #[command(subcommand)]
    Registries(RegistriesCommand),
    /// Run the sandbox card provider (a test double of an acquirer's hosted payment page) as
    /// its own HTTP service. Portico reaches it at PORTICO_PAY_SANDBOX_URL; both sign with
    /// PORTICO_PAY_SANDBOX_SECRET. Test cards: 4242 4242 4242 4242 succeeds,
    /// 4000 0000 0000 0002 is declined, 4000 0000 0000 0119 times out.
    SandboxPay {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: std::net::SocketAddr,
        /// The address payers' browsers reach it at (default http://<listen>).
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Add N synthetic services to the catalog (after `demo --seed-only`), for bench/.
    #[command(hide = true)]
    BenchSeed {
        #[arg(long, default_value_t = 10_000)]
        services: usize,
    },
    /// Add N synthetic open datasets and load a CSV into the datastore; print the resource's id
    /// and the load's milliseconds (for bench/opendata.sh).
    #[command(hide = true)]
    BenchOpendata {
        #[arg(long, default_value_t = 100_000)]
        datasets: usize,
        #[arg(long)]
        csv: PathBuf,
    },
    /// Create N citizens with completed drafts and signed-in sessions; print "token application"
    /// lines (for bench/).
    #[command(hide = true)]
    BenchPrepareSubmissions {
        #[arg(long, default_value_t = 1000)]
        count: usize,
    },
    /// Call the built-in population adapter in-process for a few seconds and print queries per
    /// second; writes the EGNs it used to --egn-file (for bench/registries.sh).
    #[command(hide = true)]
    BenchRegistriesDirect {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long)]
        egn_file: PathBuf,
    },
    /// Verify N voters in a new process in voting (untimed), then time their ballots; also add a
    /// process with --proposals proposals; print the figures and its slug (for bench/).
    #[command(hide = true)]
    BenchParticipation {
        #[arg(long, default_value_t = 1000)]
        voters: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        #[arg(long, default_value_t = 10_000)]
        proposals: usize,
    },
    /// Write insights counters standing for N events over the last year, across every published
    /// service (for bench/insights.sh).
    #[command(hide = true)]
    BenchInsightsHistory {
        #[arg(long, default_value_t = 10_000_000)]
        events: u64,
    },
    /// Emit N insights events through the outbox and count them with a job worker; print events
    /// per second for each (for bench/insights.sh).
    #[command(hide = true)]
    BenchInsightsIngest {
        #[arg(long, default_value_t = 20_000)]
        events: usize,
    },
    /// Hash passwords for a few seconds and print hashes per second (for bench/).
    #[command(hide = true)]
    BenchArgon2 {
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
}

#[derive(Args)]
struct DemoArgs {
    /// Seed the data and exit instead of serving.
    #[arg(long)]
    seed_only: bool,
}

#[derive(Subcommand)]
enum RegistriesCommand {
    /// Fill the demo base registers with synthetic people (valid EGNs) in households with their
    /// Sofia addresses, and companies (valid EIKs). Idempotent: the same count makes the same data.
    Generate {
        #[arg(long, default_value_t = 100_000)]
        people: usize,
    },
}

#[derive(Subcommand)]
enum DeliveryCommand {
    /// Re-wrap every mailbox's data key under the newest master key of PORTICO_DELIVERY_KEYS
    /// (messages are not re-encrypted). Afterwards the older versions may be removed.
    RotateKeys,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain and every signed checkpoint; name the first row that was edited,
    /// deleted or reordered. Exits with status 1 if the log was tampered with.
    Verify,
    /// Sign the chain's current head now.
    Checkpoint,
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// Verify a piece of evidence (a compact JWS file, such as a downloaded submission.jws or
    /// result.jws) against the platform CA: the certificate chain in its x5c header must lead to
    /// the CA and be valid now, and the signature must be the signing certificate's. Prints what
    /// the evidence states and exits 0; otherwise prints why not and exits 1.
    ///
    /// A file of several JWS, one per line (a message's evidence downloaded from its mailbox
    /// page), is checked as a chain: every piece verifies, they are of one message and content,
    /// `seq` runs 0, 1, 2 … and each names the SHA-256 of the one before it.
    ///
    /// A ZIP export of a mailbox or thread is checked whole: the manifest's signature, every
    /// file against the manifest (none missing or added), each message's evidence chain and
    /// that it names the message.json beside it, and each attachment against message.json.
    Verify {
        /// The JWS file (or a chain: one JWS per line, or a ZIP export).
        file: PathBuf,
        /// The document or message (message.json) the evidence is about: its SHA-256 must be the
        /// one the evidence names (`message_sha256` or `document_sha256`).
        #[arg(long, value_name = "FILE")]
        content: Option<PathBuf>,
        /// The platform CA certificate (PEM) to trust. Default: the last certificate of
        /// PORTICO_SIGNING_CERT, or platform-ca.pem in the data folder.
        #[arg(long, value_name = "FILE")]
        ca: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Add an administration (a ministry, agency, municipality, district …).
    AddAdministration {
        #[arg(long)]
        name_bg: String,
        #[arg(long)]
        name_en: String,
        /// ministry, agency, municipality, district or other
        #[arg(long)]
        kind: String,
        /// EIK/BULSTAT, 9 or 13 digits
        #[arg(long)]
        eik: String,
        /// EIK or id of the parent administration (a district's municipality)
        #[arg(long)]
        parent: Option<String>,
    },
    /// Add a unit to an administration.
    AddUnit {
        /// EIK or id of the administration
        #[arg(long)]
        administration: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name_bg: String,
        #[arg(long)]
        name_en: String,
    },
    /// Add a staff account with a role (for example the administration's first admin).
    AddStaff {
        /// EIK or id of the administration
        #[arg(long)]
        administration: String,
        /// Code of a unit of that administration
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        given_name: String,
        #[arg(long)]
        family_name: String,
        /// operator, administration_admin, register_owner, platform_admin, identity_verifier or data_publisher
        #[arg(long, default_value = "administration_admin")]
        role: String,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List administrations with their EIK and id.
    List,
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTICO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("error: {error:#}");
        std::process::exit(2);
    }
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    init_tracing(config.log_json);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve => {
            config.check_for_serve()?;
            let db = app::connect(&config).await?;
            app::migrate(&db).await?;
            let platform = app::build(&config, db, clock)?;
            serve::run(
                platform,
                config.listen,
                Duration::from_secs(config.checkpoint_secs),
                portico_audit::Anchor::in_folder(&config.data_dir),
            )
            .await
        }
        Command::SandboxPay { listen, public_url } => {
            let Some(secret) = config.pay_sandbox_secret.as_deref().map(str::trim) else {
                bail!(
                    "sandbox-pay needs PORTICO_PAY_SANDBOX_SECRET (the secret Portico signs with)"
                );
            };
            if secret.len() < 32 {
                bail!("PORTICO_PAY_SANDBOX_SECRET must hold at least 32 bytes");
            }
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let address = listener.local_addr()?;
            let public = public_url.unwrap_or_else(|| format!("http://{address}"));
            let sandbox = portico_payments::sandbox::Sandbox::new(secret.as_bytes(), &public)
                .map_err(anyhow::Error::msg)?;
            println!("sandbox card provider listening on http://{address}");
            portico_payments::sandbox::serve(listener, sandbox).await?;
            Ok(())
        }
        Command::Migrate => {
            let db = app::connect(&config).await?;
            let applied = app::migrate(&db).await?;
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::Demo(args) => {
            let db = app::connect(&config).await?;
            app::migrate(&db).await?;
            let seeded = demo::seed(&db, clock.as_ref()).await?;
            let datasets = demo::seed_open_data(&config, &db, clock.clone()).await?;
            let ballots = demo::seed_participation(&db, clock.as_ref(), demo::DEMO_BALLOTS).await?;
            // A year of performance history for the dashboard (once; see docs/insights.md).
            let today = portico_core::calendar::sofia_date(clock.now());
            portico_insights::service::history::seed_demo(&db, today).await?;
            // The dashboard's stored figures, with that history in them.
            let insights = portico_insights::service::Insights::new(
                db.clone(),
                clock.clone(),
                std::sync::Arc::new(tokio::sync::Notify::new()),
            );
            portico_insights::service::stored::refresh_everything(&insights).await?;
            // The figures as an open dataset in /data, kept current by a job.
            let performance = demo::publish_performance(&config, &db, clock.clone()).await?;
            println!(
                "Demo data ready: {} administrations, {datasets} new open datasets, \
                 {ballots} new ballots in Sofia Chooses GREEN.",
                seeded.administrations,
                datasets = datasets + usize::from(performance)
            );
            println!(
                "Demo accounts (password {:?}, authenticator key {}):",
                demo::DEMO_PASSWORD,
                demo::DEMO_TOTP_SECRET
            );
            for (email, role) in &seeded.accounts {
                println!("  {email:<40} {role}");
            }
            if args.seed_only {
                return Ok(());
            }
            if config.smtp_url.is_none() || config.sms_url.is_none() {
                println!(
                    "E-mail and SMS without PORTICO_SMTP_URL / PORTICO_SMS_URL are written to {} and {}.",
                    config.data_dir.join("mail.log").display(),
                    config.data_dir.join("sms.log").display()
                );
            }
            println!("Open {} in a browser.", config.base_url);
            let platform = app::build(&config, db, clock)?;
            serve::run(
                platform,
                config.listen,
                Duration::from_secs(config.checkpoint_secs),
                portico_audit::Anchor::in_folder(&config.data_dir),
            )
            .await
        }
        Command::Audit(AuditCommand::Verify) => {
            let db = app::connect(&config).await?;
            let key = app::signing_key(&config, clock.now())?;
            let mut report = portico_audit::verify(&db, &key).await?;
            let anchor = portico_audit::Anchor::in_folder(&config.data_dir);
            if report.problem.is_none() {
                let max_age = chrono::Duration::seconds(config.checkpoint_max_age_secs as i64);
                report.problem = anchor.check(&db, &key, max_age, clock.now()).await?;
            }
            match report.problem {
                None => {
                    println!(
                        "audit log intact: {} rows, {} signed checkpoints, matching {}",
                        report.rows,
                        report.checkpoints,
                        anchor.path().display()
                    );
                    Ok(())
                }
                Some(problem) => {
                    println!("AUDIT LOG TAMPERED: {problem}");
                    std::process::exit(1);
                }
            }
        }
        Command::Audit(AuditCommand::Checkpoint) => {
            let db = app::connect(&config).await?;
            let key = app::signing_key(&config, clock.now())?;
            let signed = portico_audit::checkpoint(&db, &key, clock.now()).await?;
            portico_audit::Anchor::in_folder(&config.data_dir)
                .sync(&db)
                .await?;
            match signed {
                Some(seq) => println!("signed checkpoint at row {seq}"),
                None => println!("nothing new to sign"),
            }
            Ok(())
        }
        Command::Evidence(EvidenceCommand::Verify { file, ca, content }) => {
            match verify_evidence(
                &config,
                &file,
                ca.as_deref(),
                content.as_deref(),
                clock.now(),
            ) {
                Ok(report) => {
                    println!("{report}");
                    Ok(())
                }
                Err(why) => {
                    println!("EVIDENCE NOT VALID: {why:#}");
                    std::process::exit(1);
                }
            }
        }
        Command::Admin(command) => run_admin(&config, clock.as_ref(), command).await,
        Command::Delivery(DeliveryCommand::RotateKeys) => {
            let db = app::connect(&config).await?;
            app::migrate(&db).await?;
            let key = app::signing_key(&config, clock.now())?;
            app::install_delivery_keys(&config, &key)?;
            let keyring = portico_delivery::service::keys::installed(&key)
                .context("the delivery keys were not installed")?;
            let done = portico_delivery::service::keys::rotate(&db, &keyring, clock.now()).await?;
            println!(
                "delivery data keys: {} re-wrapped under master key version {}, {} already under it; {} webhook secrets re-sealed",
                done.rewrapped,
                keyring.master().current(),
                done.current,
                done.secrets
            );
            Ok(())
        }
        Command::Registries(RegistriesCommand::Generate { people }) => {
            let db = app::connect(&config).await?;
            app::migrate(&db).await?;
            let started = std::time::Instant::now();
            let made = demo::generate_registries(&db, clock.as_ref(), people).await?;
            println!(
                "population register: {} people, address register: {} addresses, commercial register: {} companies ({:.1} s)",
                made.people,
                made.addresses,
                made.companies,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::BenchRegistriesDirect {
            seconds,
            concurrency,
            egn_file,
        } => {
            let db = app::connect(&config).await?;
            let f = portico::bench_data::registries_direct(
                &db,
                clock.as_ref(),
                seconds,
                concurrency,
                &egn_file,
            )
            .await?;
            println!(
                "direct {:.1} q/s p50 {:.3} ms p99 {:.3} ms ({} queries)",
                f.queries as f64 / f.seconds,
                f.p50_ms,
                f.p99_ms,
                f.queries
            );
            Ok(())
        }
        Command::BenchOpendata { datasets, csv } => {
            let db = app::connect(&config).await?;
            app::migrate(&db).await?;
            let (resource, millis) =
                portico::bench_data::seed_open_data(&config, &db, clock.clone(), datasets, &csv)
                    .await?;
            println!("resource {resource}");
            println!("load_ms {millis}");
            Ok(())
        }
        Command::BenchParticipation {
            voters,
            concurrency,
            proposals,
        } => {
            let db = app::connect(&config).await?;
            let f = portico::bench_data::participation(
                &db,
                clock.as_ref(),
                voters,
                concurrency,
                proposals,
                Some(&config.data_dir.join("sms.log")),
            )
            .await?;
            println!(
                "ballots {:.1} per s p50 {:.3} ms p99 {:.3} ms ({} ballots) proposals {}",
                f.ballots as f64 / f.seconds,
                f.p50_ms,
                f.p99_ms,
                f.ballots,
                f.proposals_slug
            );
            Ok(())
        }
        Command::BenchInsightsHistory { events } => {
            let db = app::connect(&config).await?;
            let today = portico_core::calendar::sofia_date(clock.now());
            let h = portico_insights::service::history::bench_history(&db, today, events).await?;
            // The dashboard's stored figures, with that history in them.
            let insights = portico_insights::service::Insights::new(
                db,
                clock.clone(),
                std::sync::Arc::new(tokio::sync::Notify::new()),
            );
            portico_insights::service::stored::refresh_everything(&insights).await?;
            println!(
                "insights history: {} events over {} services in {:.1} s",
                h.events, h.services, h.seconds
            );
            Ok(())
        }
        Command::BenchInsightsIngest { events } => {
            let db = app::connect(&config).await?;
            let ctx = portico_insights::service::Insights::new(
                db,
                clock.clone(),
                std::sync::Arc::new(tokio::sync::Notify::new()),
            );
            let b = portico_insights::service::history::bench_ingest(&ctx, events).await?;
            println!(
                "insights ingest: {} events; emit {:.1} events/s; count {:.1} events/s",
                b.events,
                b.events as f64 / b.emit_seconds,
                b.events as f64 / b.count_seconds
            );
            Ok(())
        }
        Command::BenchSeed { services } => {
            let db = app::connect(&config).await?;
            app::migrate(&db).await?;
            let added = portico::bench_data::seed_services(&db, clock.as_ref(), services).await?;
            println!("added {added} synthetic services");
            Ok(())
        }
        Command::BenchPrepareSubmissions { count } => {
            let db = app::connect(&config).await?;
            app::migrate(&db).await?;
            for (token, application) in
                portico::bench_data::prepare_submissions(&db, clock.as_ref(), count).await?
            {
                println!("{token} {application}");
            }
            Ok(())
        }
        Command::BenchArgon2 { seconds, threads } => {
            let per_second = bench_argon2(seconds, threads);
            println!("argon2id_hashes_per_second {per_second:.1}");
            Ok(())
        }
    }
}

async fn run_admin(config: &Config, clock: &dyn Clock, command: AdminCommand) -> Result<()> {
    let db = app::connect(config).await?;
    app::migrate(&db).await?;
    match command {
        AdminCommand::AddAdministration {
            name_bg,
            name_en,
            kind,
            eik,
            parent,
        } => {
            let a = admin::add_administration(
                &db,
                clock,
                &name_bg,
                &name_en,
                &kind,
                &eik,
                parent.as_deref(),
            )
            .await?;
            println!(
                "added administration {} (EIK {}, id {})",
                a.name_en, a.eik, a.id
            );
        }
        AdminCommand::AddUnit {
            administration,
            code,
            name_bg,
            name_en,
        } => {
            let id =
                admin::add_unit(&db, clock, &administration, &code, &name_bg, &name_en).await?;
            println!("added unit {code} (id {id})");
        }
        AdminCommand::AddStaff {
            administration,
            unit,
            email,
            given_name,
            family_name,
            role,
            password_stdin,
        } => {
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (generate_password(), true)
            };
            if password.is_empty() {
                bail!("no password on standard input");
            }
            let request = admin::StaffRequest {
                administration: &administration,
                unit: unit.as_deref(),
                email: &email,
                given_name: &given_name,
                family_name: &family_name,
                role: &role,
                password: &password,
            };
            let id = admin::add_staff(&db, clock, request).await?;
            println!("added {email} as {role} (account {id})");
            if generated {
                println!(
                    "one-time password (shown once, give it to the person securely): {password}"
                );
            }
        }
        AdminCommand::List => {
            for a in portico_identity::service::administrations::list(&db).await? {
                println!("{}\t{}\t{}\t{}", a.eik, a.kind.as_str(), a.id, a.name_bg);
            }
        }
    }
    Ok(())
}

/// The trust anchor: `--ca`, else the configured chain's CA, else the data folder's CA.
fn platform_ca(config: &Config, ca: Option<&Path>) -> Result<portico_audit::Certificate> {
    let (pem, from) = match (ca, &config.signing_cert_pem) {
        (Some(path), _) => (std::fs::read_to_string(path), path.display().to_string()),
        (None, Some(chain)) => (Ok(chain.clone()), "PORTICO_SIGNING_CERT".to_owned()),
        (None, None) => {
            let path = config.data_dir.join(portico_audit::pki::CA_FILE);
            (std::fs::read_to_string(&path), path.display().to_string())
        }
    };
    let pem = pem.with_context(|| {
        format!("cannot read the platform CA from {from} (give it with --ca FILE)")
    })?;
    let certificates =
        portico_audit::pki::certificates_from_pem(&pem).with_context(|| from.clone())?;
    certificates
        .last()
        .cloned()
        .with_context(|| format!("no certificate in {from}"))
}

/// Verifies a JWS file and says what it states, for `portico evidence verify`.
fn verify_evidence(
    config: &Config,
    file: &Path,
    ca: Option<&Path>,
    content: Option<&Path>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String> {
    use sha2::Digest;
    use std::fmt::Write;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let anchor = platform_ca(config, ca)?;
    if bytes.starts_with(b"PK\x03\x04") {
        return verify_export(&bytes, &anchor, now);
    }
    let token = String::from_utf8(bytes)
        .with_context(|| format!("{} is neither a JWS nor a ZIP export", file.display()))?;
    let lines: Vec<&str> = token.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() > 1 {
        return verify_evidence_chain(&lines, &anchor, content, now);
    }
    let verified = portico_audit::jws::verify(&token, &anchor, now)?;
    if let Some(content) = content {
        check_content(&verified.payload, content)?;
    }
    let ca_info = anchor.describe();
    let mut out = String::new();
    let date = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let _ = writeln!(
        out,
        "evidence valid: signature and certificate chain check out"
    );
    let _ = writeln!(
        out,
        "  signed by:   {} (serial {}, valid {} to {})",
        verified.signer.subject,
        verified.signer.serial,
        date(verified.signer.not_before),
        date(verified.signer.not_after)
    );
    let _ = writeln!(
        out,
        "  trusted CA:  {} ({})",
        ca_info.subject,
        anchor.thumbprint()
    );
    if let Some(kid) = &verified.header.kid {
        let _ = writeln!(out, "  key id:      {kid}");
    }
    let _ = writeln!(
        out,
        "  payload SHA-256: {}",
        hex::encode(sha2::Sha256::digest(&verified.payload_bytes))
    );
    let _ = writeln!(out, "it states:");
    let pretty = serde_json::to_string_pretty(&verified.payload).unwrap_or_default();
    for line in pretty.lines() {
        let _ = writeln!(out, "  {line}");
    }
    Ok(out.trim_end().to_owned())
}

/// The SHA-256 of the content file must be the one the evidence names.
fn check_content(payload: &serde_json::Value, content: &Path) -> Result<()> {
    use sha2::Digest;
    let bytes =
        std::fs::read(content).with_context(|| format!("cannot read {}", content.display()))?;
    let actual = hex::encode(sha2::Sha256::digest(&bytes));
    let named = payload["message_sha256"]
        .as_str()
        .or_else(|| payload["document_sha256"].as_str())
        .context("the evidence names no content hash (message_sha256 or document_sha256)")?;
    if actual != named {
        anyhow::bail!(
            "the SHA-256 of {} is {actual}, not the {named} that the evidence names: the content was changed or is another",
            content.display()
        );
    }
    Ok(())
}

/// A mailbox's or thread's ZIP export, checked whole, for `portico evidence verify`.
fn verify_export(
    bytes: &[u8],
    anchor: &portico_audit::Certificate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String> {
    let verified = portico_delivery::service::export::verify(bytes, anchor, now)
        .map_err(anyhow::Error::msg)?;
    let m = &verified.manifest;
    let what = match (&m.mailbox, &m.thread) {
        (Some(mailbox), _) => format!(
            "mailbox {} ({} {})",
            mailbox.name, mailbox.kind, mailbox.identifier
        ),
        (None, Some(thread)) => format!("thread {thread}"),
        (None, None) => m.scope.clone(),
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    Ok(format!(
        "export valid: {what}, exported {}\n  {}, {}, {}: the manifest's signature and certificate chain check out, every file is the one it lists, each evidence chain is whole and names its message.json, each attachment is the one its message.json names",
        m.exported_at,
        plural(m.messages.len(), "message", "messages"),
        plural(m.files.len(), "file", "files"),
        plural(verified.evidence_pieces, "piece of evidence", "pieces of evidence")
    ))
}

/// A chain of delivery evidence, one JWS per line, for `portico evidence verify`.
fn verify_evidence_chain(
    lines: &[&str],
    anchor: &portico_audit::Certificate,
    content: Option<&Path>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String> {
    use std::fmt::Write;
    let statements = portico_delivery::service::evidence::check_chain(lines, anchor, now)?;
    if let (Some(content), Some(first)) = (content, statements.first()) {
        check_content(first, content)?;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "evidence chain valid: {} pieces, signatures and certificate chains check out, each names the one before it",
        statements.len()
    );
    if let Some(first) = statements.first() {
        let _ = writeln!(
            out,
            "  message:         {}",
            first["message"].as_str().unwrap_or("")
        );
        let _ = writeln!(
            out,
            "  message SHA-256: {}",
            first["message_sha256"].as_str().unwrap_or("")
        );
    }
    for s in &statements {
        let _ = writeln!(
            out,
            "  {} {} {} {}",
            s["seq"],
            s["at"].as_str().unwrap_or(""),
            s["event"].as_str().unwrap_or(""),
            s["recipient"]["name"].as_str().unwrap_or("")
        );
    }
    Ok(out.trim_end().to_owned())
}

fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Raw Argon2id hashing throughput at the same parameters sign-in uses.
fn bench_argon2(seconds: u64, threads: usize) -> f64 {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    let started = std::time::Instant::now();
    let handles: Vec<_> = (0..threads.max(1))
        .map(|_| {
            std::thread::spawn(move || {
                let mut n = 0u64;
                while std::time::Instant::now() < deadline {
                    let _ = portico_identity::service::password::hash_blocking(
                        "benchmark password 123",
                    );
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    total as f64 / started.elapsed().as_secs_f64()
}

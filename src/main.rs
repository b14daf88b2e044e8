//! The `dgx-spark-exporter` binary: flags, logging, and wiring. Everything
//! else lives in the library.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use dgx_spark_exporter::cli::{self, Action, Config};
use dgx_spark_exporter::collect::Exporter;
use dgx_spark_exporter::{command, http, notify, record, sys};

fn init_logging(config: &Config) {
    let mut builder = env_logger::Builder::new();
    match (&config.log_level, std::env::var("RUST_LOG")) {
        (Some(level), _) => builder.parse_filters(level),
        (None, Ok(filters)) => builder.parse_filters(&filters),
        (None, Err(_)) => builder.parse_filters("info"),
    };
    builder.target(env_logger::Target::Stderr).init();
}

fn serve(config: Config) -> ExitCode {
    // Block SIGTERM/SIGINT before any thread exists so only `wait` sees them.
    let signals = match sys::TermSignals::block() {
        Ok(s) => s,
        Err(e) => {
            log::error!("blocking termination signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match http::bind(&config.listen) {
        Ok(l) => l,
        Err(e) => {
            log::error!("listening on {}: {e}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let exporter = Arc::new(Exporter::new(config.make_root(), config.options.clone()));
    if let Err(e) = exporter.spawn_sampler() {
        log::error!("starting the CPU sampler thread: {e}");
        return ExitCode::FAILURE;
    }
    let running = match http::start(
        exporter,
        listener,
        config.telemetry_path.clone(),
        config.http_limits,
    ) {
        Ok(r) => r,
        Err(e) => {
            log::error!("starting the HTTP server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let status = format!(
        "dgx-spark-exporter {} listening on {} (metrics at {}, root {})",
        dgx_spark_exporter::VERSION,
        running.addr(),
        config.telemetry_path,
        config.root.display()
    );
    log::info!("{status}");
    let notifier = match notify::Notifier::from_env() {
        Ok(n) => n,
        Err(e) => {
            log::warn!("NOTIFY_SOCKET is set but unusable: {e}");
            None
        }
    };
    let send = |state: &str| {
        if let Some(n) = &notifier {
            if let Err(e) = n.notify(state) {
                log::warn!("notifying systemd ({state}): {e}");
            }
        }
    };
    send(&format!("READY=1\nSTATUS={status}"));
    // Wake every second (or at half the watchdog timeout, if shorter): ping
    // the watchdog only while a worker is still going round its loop, so a
    // wedged server is restarted; exit at once if the server can no longer
    // accept connections, so a fresh process takes over.
    let watchdog = notify::watchdog_timeout();
    let tick = watchdog.map_or(Duration::from_secs(1), |w| {
        (w / 2).min(Duration::from_secs(1))
    });
    let mut code = ExitCode::SUCCESS;
    loop {
        match signals.wait_timeout(tick) {
            Ok(Some(sig)) => {
                log::info!("signal {sig}: shutting down");
                break;
            }
            Ok(None) if running.is_dead() => {
                log::error!("the HTTP server cannot accept connections any more: exiting");
                code = ExitCode::FAILURE;
                break;
            }
            Ok(None) => {
                if let Some(timeout) = watchdog {
                    if running.serving(timeout / 2) {
                        send("WATCHDOG=1");
                    } else {
                        log::error!("no HTTP worker is responsive: withholding the watchdog ping");
                    }
                }
            }
            Err(e) => {
                log::error!("waiting for signals: {e}; shutting down");
                break;
            }
        }
    }
    send("STOPPING=1");
    // End any nvidia-smi in flight so its scrape finishes now, not at its
    // deadline, and the streaming one; then let the workers finish what they
    // are answering, and the GPU sampler reap what was killed, so that no
    // zombie or orphan is left behind.
    command::kill_running();
    running.shutdown();
    if !command::wait_none_running(Duration::from_millis(500)) {
        log::warn!("an nvidia-smi child was not reaped in time; exiting anyway");
    }
    code
}

fn main() -> ExitCode {
    sys::limit_malloc_arenas();
    let action = match cli::parse(std::env::args_os().skip(1).collect()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("dgx-spark-exporter: {e}");
            return ExitCode::from(2);
        }
    };
    match action {
        Action::Help => {
            print!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Action::Version => {
            println!(
                "dgx-spark-exporter {} (revision {})",
                dgx_spark_exporter::VERSION,
                dgx_spark_exporter::REVISION
            );
            ExitCode::SUCCESS
        }
        Action::Once(config) => {
            init_logging(&config);
            let exporter = Exporter::new(config.make_root(), config.options.clone());
            let text = exporter.render();
            if std::io::stdout().write_all(text.as_bytes()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Action::Record(config, dir) => {
            init_logging(&config);
            let command: Vec<String> = std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let command = command.join(" ");
            match record::record(config.make_root(), config.options.clone(), &dir, &command) {
                Ok(rec) => {
                    let _ = std::io::stdout().write_all(rec.exposition.as_bytes());
                    log::info!("recorded {} files into {}", rec.files.len(), dir.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    log::error!("record: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Action::Serve(config) => {
            init_logging(&config);
            serve(config)
        }
    }
}

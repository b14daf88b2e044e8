//! CPU frequencies: the contract `cpu_frequency_mhz` (mean current
//! frequency of the online CPUs) and node_exporter's per-CPU `cpufreq`
//! families.
//!
//! Sources: `/sys/devices/system/cpu/online` (CPU list, kernel
//! `Documentation/ABI/testing/sysfs-devices-system-cpu`) and
//! `/sys/devices/system/cpu/cpuN/cpufreq/*` (frequencies in kHz, kernel
//! `Documentation/admin-guide/pm/cpufreq.rst`, "Policy Interface in sysfs").
//! A CPU without cpufreq (a VM, a core being hot-plugged) is left out of the
//! mean rather than counted as 0, and has no node series.
//!
//! node families, for each `cpuN` with a `cpufreq` directory:
//! `node_cpu_frequency_{,min_,max_}hertz` from `cpuinfo_{cur,min,max}_freq`
//! (`cpuinfo_cur_freq` is readable by root only, so usually absent),
//! `node_cpu_scaling_frequency_{,min_,max_}hertz` from
//! `scaling_{cur,min,max}_freq`, and `node_cpu_scaling_governor{governor}`,
//! 1 for the active governor and 0 for the other available ones.

use std::collections::HashMap;

use crate::collect::cpu_label;
use crate::expo::{LabelValue, Labels, Sample, name_order};
use crate::metrics::{self, Metric, node};
use crate::parse::{cpulist, sysfs};
use crate::root::{CollectError, DirPath, Root};

/// Relative path of the list of online CPUs.
pub const ONLINE_FILE: &str = "sys/devices/system/cpu/online";

/// `scaling_cur_freq` is in kHz (cpufreq.rst); the contract metric is in MHz.
const KHZ_PER_MHZ: f64 = 1000.0;

/// cpufreq frequencies are in kHz (cpufreq.rst); the node families in Hz.
const HZ_PER_KHZ: f64 = 1000.0;

/// Relative path of the CPU devices directory.
pub const CPU_DIR: &str = "sys/devices/system/cpu";

/// The frequency files of a cpufreq policy and their families.
/// `scaling_cur_freq` comes first: every policy has it (cpufreq.rst), so
/// only when it is missing is the directory itself looked for.
const FREQUENCIES: [(&str, &Metric); 6] = [
    ("scaling_cur_freq", &node::CPU_SCALING_FREQUENCY_HERTZ),
    ("cpuinfo_cur_freq", &node::CPU_FREQUENCY_HERTZ),
    ("cpuinfo_max_freq", &node::CPU_FREQUENCY_MAX_HERTZ),
    ("cpuinfo_min_freq", &node::CPU_FREQUENCY_MIN_HERTZ),
    ("scaling_max_freq", &node::CPU_SCALING_FREQUENCY_MAX_HERTZ),
    ("scaling_min_freq", &node::CPU_SCALING_FREQUENCY_MIN_HERTZ),
];

/// Emits node_exporter's cpufreq families for every `cpuN` with cpufreq,
/// then `cpu_frequency_mhz`.
///
/// Errors: the CPU directory or online list is unreadable or malformed, a
/// frequency or governor file is malformed (that value is absent), or no
/// online CPU exposes `scaling_cur_freq` (`NoData`).
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let mut current = HashMap::new();
    let node = node_collect(root, &mut current, out);
    let contract = mean_collect(root, &current, out);
    node.and(contract)
}

/// The node_exporter families; `current` gets each CPU's
/// `scaling_cur_freq` (kHz), so the contract mean reads it only once.
fn node_collect(
    root: &Root,
    current: &mut HashMap<u32, u64>,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let mut result = Ok(());
    // The last `scaling_available_governors` seen and its names sorted,
    // reused while CPUs list the same ones (they usually all do).
    let mut governors: Option<(String, Vec<LabelValue>)> = None;
    // The cpufreq core gives every policy `cpuinfo_cur_freq` (mode 0400)
    // if and only if the one cpufreq driver has a `get` callback
    // (`cpufreq_add_dev_interface`, drivers/cpufreq/cpufreq.c): once a CPU
    // lacks it or denies it, so do the others, and it is not looked for
    // again this scrape (on a Spark, 19 failed opens fewer a scrape).
    let mut no_cpuinfo_cur_freq = false;
    'cpus: for entry in root.read_dir(CPU_DIR)? {
        let Some(cpu) = entry.strip_prefix("cpu") else {
            continue;
        };
        if !cpu.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let mut dir = DirPath::of(&[CPU_DIR, &entry, "cpufreq"]);
        // The shared value for the number, where `cpu` is how it is written.
        let cpu_label = match cpu.parse() {
            Ok(n) if !(cpu.starts_with('0') && cpu.len() > 1) => cpu_label(n),
            _ => LabelValue::new(cpu),
        };
        for (file, metric) in FREQUENCIES {
            let cpuinfo_cur = file == "cpuinfo_cur_freq";
            if cpuinfo_cur && no_cpuinfo_cur_freq {
                continue;
            }
            match root
                .read_parsed_optional(dir.file(file), |t| sysfs::u64_value("cpufreq frequency", t))
            {
                Ok(Some(khz)) => {
                    if file == "scaling_cur_freq" {
                        if let Ok(n) = cpu.parse() {
                            current.insert(n, khz);
                        }
                    }
                    out.push(Sample::new(
                        metric,
                        [("cpu", cpu_label.clone())],
                        khz as f64 * HZ_PER_KHZ,
                    ))
                }
                // No cpufreq for this CPU (a VM, a core being hot-plugged):
                // nothing else to read. Checked only now rather than before
                // every CPU, which cost a `statx` each on every scrape.
                Ok(None) if file == "scaling_cur_freq" && !root.is_dir(dir.dir()) => {
                    continue 'cpus;
                }
                Ok(None) => no_cpuinfo_cur_freq |= cpuinfo_cur,
                // cpuinfo_cur_freq is mode 0400: unreadable unless root.
                Err(CollectError::Read { source, .. })
                    if source.kind() == std::io::ErrorKind::PermissionDenied =>
                {
                    no_cpuinfo_cur_freq |= cpuinfo_cur;
                }
                Err(e) => result = Err(e),
            }
        }
        // Read without a copy of the text while this CPU lists the same
        // governors as the last one (`None`: the same).
        let available = root.read_parsed_optional(dir.file("scaling_available_governors"), |t| {
            Ok(match &governors {
                Some((text, _)) if text == t => None,
                _ => Some(t.to_string()),
            })
        });
        if let Ok(Some(Some(text))) = &available {
            // By name, the writer's order, so that it has nothing to sort
            // (the kernel lists them in registration order).
            let listed: Vec<&str> = text.split_whitespace().collect();
            let names = name_order(&listed)
                .into_iter()
                .map(|i| LabelValue::new(listed[i]))
                .collect();
            governors = Some((text.clone(), names));
        }
        let names = governors.as_ref().map_or(&[][..], |(_, names)| &names[..]);
        // The active governor's place in `names`, if it is there.
        let current = root.read_parsed_optional(dir.file("scaling_governor"), |t| {
            Ok(names.iter().position(|g| g.as_str() == t.trim()))
        });
        match (current, available) {
            (Ok(Some(current)), Ok(Some(_))) => {
                for (i, g) in names.iter().enumerate() {
                    out.push(Sample::new(
                        &node::CPU_SCALING_GOVERNOR,
                        [("cpu", cpu_label.clone()), ("governor", g.clone())],
                        f64::from(u8::from(current == Some(i))),
                    ));
                }
            }
            (Err(e), _) | (_, Err(e)) => result = Err(e),
            _ => {}
        }
    }
    result
}

/// The contract's `cpu_frequency_mhz`.
fn mean_collect(
    root: &Root,
    current: &HashMap<u32, u64>,
    out: &mut Vec<Sample>,
) -> Result<(), CollectError> {
    let online = root.read_parsed(ONLINE_FILE, cpulist::parse)?;
    let mut sum_khz = 0u64;
    let mut count = 0u64;
    for cpu in online {
        if let Some(&khz) = current.get(&cpu) {
            sum_khz = sum_khz.saturating_add(khz);
            count += 1;
        }
    }
    if count == 0 {
        return Err(CollectError::NoData(format!(
            "no online CPU has {} (no cpufreq driver?)",
            root.path("sys/devices/system/cpu/cpuN/cpufreq/scaling_cur_freq")
                .display()
        )));
    }
    let mean_mhz = sum_khz as f64 / count as f64 / KHZ_PER_MHZ;
    out.push(Sample::new(
        &metrics::CPU_FREQUENCY_MHZ,
        Labels::NONE,
        mean_mhz,
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{tmp_dir, write};

    /// The CPUs with a `cpuinfo_cur_freq` series.
    fn with_cpuinfo_cur(root: &Root) -> Vec<String> {
        let mut out = Vec::new();
        collect(root, &mut out).unwrap();
        out.iter()
            .filter(|s| std::ptr::eq(s.metric, &node::CPU_FREQUENCY_HERTZ))
            .map(|s| s.labels[0].1.as_str().to_string())
            .collect()
    }

    #[test]
    fn cpuinfo_cur_freq_is_not_looked_for_after_a_cpu_lacks_it() {
        let d = tmp_dir("cpufreq-cur");
        write(&d, ONLINE_FILE, "0-2\n");
        for cpu in 0..3 {
            let dir = format!("{CPU_DIR}/cpu{cpu}/cpufreq");
            write(&d, &format!("{dir}/scaling_cur_freq"), "1000000\n");
        }
        // One driver makes the file for every policy or for none
        // (cpufreq_add_dev_interface), so a kernel never shows this mix:
        // the first CPU decides for the scrape.
        write(
            &d,
            &format!("{CPU_DIR}/cpu1/cpufreq/cpuinfo_cur_freq"),
            "990000\n",
        );
        let root = Root::replay(&d);
        assert_eq!(with_cpuinfo_cur(&root), Vec::<String>::new());
        for cpu in [0, 2] {
            let file = format!("{CPU_DIR}/cpu{cpu}/cpufreq/cpuinfo_cur_freq");
            write(&d, &file, "990000\n");
        }
        assert_eq!(with_cpuinfo_cur(&root), ["0", "1", "2"]);
    }
}

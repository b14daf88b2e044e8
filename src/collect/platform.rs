//! `dgx_spark_exporter_platform_info{platform,model}`: which board this is,
//! so one dashboard can tell Sparks, Jetsons and Pis apart.
//!
//! Sources, in order:
//!
//! | platform | rule | `model` |
//! |---|---|---|
//! | `dgx-spark` | DMI `/sys/class/dmi/id/product_name` is `NVIDIA_DGX_Spark` (NVIDIA's Founders Edition; lablup/all-smi #147, verified on hardware) | the DMI product name |
//! | `jetson` | a device-tree `compatible` entry starts with `nvidia,tegra` (`nvidia,tegra234` on Orin; NVIDIA/jetson-gpio #125), or the model names a Jetson | device-tree `model` |
//! | `raspberry-pi` | a `compatible` entry starts with `raspberrypi,` (`raspberrypi,5-model-b`, `bcm2712-rpi-5-b.dts`), or the model starts with `Raspberry Pi` | device-tree `model` |
//! | `generic` | anything else | the DMI product name, else the device-tree model, else empty |
//!
//! Device-tree properties (`/proc/device-tree/model`, `compatible`; the
//! kernel's `Documentation/ABI/testing/sysfs-firmware-ofw`) are raw
//! property bytes: strings end with NUL, and `compatible` is a list of
//! NUL-terminated strings. GB10 machines from other vendors (Dell, ASUS,
//! Lenovo, HP) carry their own DMI names, which no public source lists yet;
//! they report `generic` with their DMI name as `model`.

use crate::expo::Sample;
use crate::metrics::host;
use crate::parse::{device_tree, sysfs};
use crate::root::{CollectError, Root};

/// DMI product name, as the kernel exports it (sysfs-class-dmi).
pub const DMI_PRODUCT_NAME: &str = "sys/class/dmi/id/product_name";
/// The board's device-tree `model` property.
pub const DT_MODEL: &str = "proc/device-tree/model";
/// The board's device-tree `compatible` property.
pub const DT_COMPATIBLE: &str = "proc/device-tree/compatible";

/// The DMI `product_name` of NVIDIA's DGX Spark.
const SPARK_PRODUCT_NAME: &str = "NVIDIA_DGX_Spark";

/// The board families the exporter knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// NVIDIA DGX Spark (GB10).
    DgxSpark,
    /// NVIDIA Jetson (Tegra).
    Jetson,
    /// Raspberry Pi.
    RaspberryPi,
    /// Anything else.
    Generic,
}

impl Platform {
    /// The `platform` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::DgxSpark => "dgx-spark",
            Platform::Jetson => "jetson",
            Platform::RaspberryPi => "raspberry-pi",
            Platform::Generic => "generic",
        }
    }
}

/// The platform of `product_name` (DMI), `model` and `compatible` (device
/// tree), each `None` when the file does not exist.
pub fn classify(
    product_name: Option<&str>,
    model: Option<&str>,
    compatible: &[&str],
) -> (Platform, String) {
    if product_name == Some(SPARK_PRODUCT_NAME) {
        return (Platform::DgxSpark, SPARK_PRODUCT_NAME.to_string());
    }
    let dt_model = model.unwrap_or("");
    let any = |prefix: &str| compatible.iter().any(|c| c.starts_with(prefix));
    if any("nvidia,tegra") || dt_model.contains("Jetson") {
        return (Platform::Jetson, dt_model.to_string());
    }
    if any("raspberrypi,") || dt_model.starts_with("Raspberry Pi") {
        return (Platform::RaspberryPi, dt_model.to_string());
    }
    let model = product_name.or(model).unwrap_or("");
    (Platform::Generic, model.to_string())
}

/// Reads the DMI and device-tree identity under `root` and classifies it.
///
/// Errors: one of the files exists but cannot be read, or the device-tree
/// `model` is empty or holds several strings.
pub fn detect(root: &Root) -> Result<(Platform, String), CollectError> {
    let product = root.read_optional(DMI_PRODUCT_NAME)?;
    let model = root.read_optional(DT_MODEL)?;
    let compatible = root.read_optional(DT_COMPATIBLE)?;
    let product = product.as_deref().map(sysfs::text_value);
    let model = match model.as_deref() {
        Some(raw) => Some(
            device_tree::string("device-tree model", raw)
                .map_err(|source| root.parse_error(DT_MODEL, source))?,
        ),
        None => None,
    };
    let compatible: Vec<&str> = compatible
        .as_deref()
        .map(|raw| device_tree::strings(raw).collect())
        .unwrap_or_default();
    Ok(classify(product, model, &compatible))
}

/// Emits `dgx_spark_exporter_platform_info`.
///
/// Errors: see [`detect`].
pub fn collect(root: &Root, out: &mut Vec<Sample>) -> Result<(), CollectError> {
    let (platform, model) = detect(root)?;
    out.push(Sample::new(
        &host::PLATFORM_INFO,
        vec![
            ("platform", platform.as_str().into()),
            ("model", model.into()),
        ],
        1.0,
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_from_dmi() {
        let (p, m) = classify(Some("NVIDIA_DGX_Spark"), None, &[]);
        assert_eq!((p, m.as_str()), (Platform::DgxSpark, "NVIDIA_DGX_Spark"));
    }

    #[test]
    fn jetson_from_compatible_even_without_jetson_in_the_model() {
        let compat: Vec<&str> = device_tree::strings(
            "nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0",
        )
        .collect();
        let (p, m) = classify(None, Some("NVIDIA Orin Nano Developer Kit"), &compat);
        assert_eq!(
            (p, m.as_str()),
            (Platform::Jetson, "NVIDIA Orin Nano Developer Kit")
        );
    }

    #[test]
    fn raspberry_pi_from_model_or_compatible() {
        let (p, m) = classify(None, Some("Raspberry Pi 5 Model B Rev 1.0"), &[]);
        assert_eq!(
            (p, m.as_str()),
            (Platform::RaspberryPi, "Raspberry Pi 5 Model B Rev 1.0")
        );
        let (p, _) = classify(
            None,
            Some("Compute Module 5 Rev 1.0"),
            &["raspberrypi,5-compute-module", "brcm,bcm2712"],
        );
        assert_eq!(p, Platform::RaspberryPi);
    }

    #[test]
    fn anything_else_is_generic_with_its_dmi_name() {
        let (p, m) = classify(Some("Standard PC (Q35 + ICH9, 2009)"), None, &[]);
        assert_eq!(
            (p, m.as_str()),
            (Platform::Generic, "Standard PC (Q35 + ICH9, 2009)")
        );
        let (p, m) = classify(None, None, &[]);
        assert_eq!((p, m.as_str()), (Platform::Generic, ""));
    }
}

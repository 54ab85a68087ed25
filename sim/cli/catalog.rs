//! `hetsim catalog`: the built-in device catalog and PUE presets.

/// Runs `hetsim catalog`.
pub fn main() -> anyhow::Result<()> {
    let cat = crate::catalog::Catalog::builtin();
    println!("Devices (datacenter.classes.<name>.device); * marks an assumed figure:");
    for (key, d) in &cat.devices {
        let mark = |a: bool| if a { "*" } else { "" };
        let mem = d
            .memory
            .as_ref()
            .map(|m| format!("{:.0} GB{}", m.value.0 / 1e9, mark(m.assumption)));
        println!(
            "  {key:<12} {:<5} idle {:>6.1} W{:<1}  busy {:>6.1} W{:<1}  {:<10} {}",
            d.category.as_str(),
            d.idle_power.value.0,
            mark(d.idle_power.assumption),
            d.busy_power.value.0,
            mark(d.busy_power.assumption),
            mem.unwrap_or_default(),
            d.name
        );
    }
    println!("\nPUE presets (datacenter.pue):");
    for (key, f) in &cat.pue {
        println!("  {key:<12} {}   {}", f.value.0, f.source);
    }
    println!("\nSources for every figure: catalog/devices.yaml");
    Ok(())
}

//! `hetsim policies`: the placement policies and power managers with their
//! parameters.

/// Runs `hetsim policies`.
pub fn main() -> anyhow::Result<()> {
    println!("Placement policies (scenario `policy: {{name, params}}`, or --policy NAME):");
    let custom = crate::policy::installed();
    for p in crate::policy::all() {
        let mark = if custom.iter().any(|c| std::ptr::eq(c, p)) {
            " (custom)"
        } else {
            ""
        };
        println!("  {:<20} {}{mark}", p.name, p.summary);
        for param in p.params {
            println!("  {:<20}   param {param}", "");
        }
    }
    println!("\nPower managers (scenario `power_manager: {{name, params}}`):");
    for p in crate::power_manager::REGISTRY {
        println!("  {:<20} {}", p.name, p.summary);
        for param in p.params {
            println!("  {:<20}   param {param}", "");
        }
    }
    Ok(())
}

//! `hetsim policies`: the placement policies and power managers with their
//! parameters.

/// Runs `hetsim policies`.
pub fn main() -> anyhow::Result<()> {
    println!("Placement policies (scenario `policy: {{name, params}}`, or --policy NAME):");
    for p in crate::policy::REGISTRY {
        println!("  {:<20} {}", p.name, p.summary);
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

//! `fedcx hisps`: lists the High Impact Service Providers in the registry.

use fedcx_model::Registry;

/// Arguments of `fedcx hisps`.
#[derive(clap::Args)]
pub struct Args {
    /// Also list each provider's services and their channels.
    #[arg(long)]
    services: bool,
    /// Print the registry as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(registry: &Registry, args: &Args) -> anyhow::Result<()> {
    if args.json {
        let providers: Vec<serde_json::Value> = registry
            .providers()
            .map(|p| {
                let services: Vec<&fedcx_model::Service> = registry.services_of(&p.slug).collect();
                serde_json::json!({
                    "slug": p.slug, "name": p.name, "organization": p.organization,
                    "department": registry.department_of(&p.organization),
                    "year_designated": p.year_designated, "verified": p.verified, "services": services,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&providers)?);
        return Ok(());
    }
    let mut departments = std::collections::BTreeSet::new();
    println!("{:<18} {:<8} {:<55} {:>5}  services", "slug", "dept", "name", "since");
    for p in registry.providers() {
        let dept = registry.department_of(&p.organization);
        departments.insert(dept.clone());
        let abbr = registry.organization(dept).map_or("?", |o| o.abbreviation.as_str());
        let mark = if p.verified { "" } else { " *" };
        let n = registry.services_of(&p.slug).count();
        println!(
            "{:<18} {:<8} {:<55} {:>5}  {n}",
            p.slug.as_str(),
            abbr,
            format!("{}{mark}", p.name),
            p.year_designated
        );
        if args.services {
            for s in registry.services_of(&p.slug) {
                let channels: Vec<&str> = s.channels.iter().map(|c| c.as_str()).collect();
                println!("    {:<40} {}", s.id.as_str(), channels.join(", "));
            }
        }
    }
    println!(
        "\n{} providers in {} agencies; {} services. * = designation not confirmed against an OMB list.",
        registry.providers().count(),
        departments.len(),
        registry.services().count()
    );
    Ok(())
}

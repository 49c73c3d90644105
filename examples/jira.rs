//! Jira Cloud with the typed Jira module: projects (offset paging), a JQL search
//! (token paging), an issue, Jira's error shape, and a rate limit waited out.
//!
//! ```text
//! cargo run --example jira
//! ```
//!
//! Runs against the embedded demo server by default. To run against Jira Cloud,
//! set `JIRA_SITE` (`acme` for acme.atlassian.net), `JIRA_EMAIL` and
//! `JIRA_API_TOKEN` (id.atlassian.com → API tokens), and optionally `JIRA_JQL`;
//! the example then only reads.

use api_action::{jira, presets};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let site_name = std::env::var("JIRA_SITE").ok();
    let credentials = std::env::var("JIRA_EMAIL")
        .ok()
        .zip(std::env::var("JIRA_API_TOKEN").ok());
    let (site, demo) = match (site_name, credentials) {
        (Some(name), Some((email, token))) => (
            presets::jira_cloud_basic(&name, email, token).build()?,
            None,
        ),
        _ => {
            let demo = action_demo::DemoServer::start().await?;
            demo.seed_jira_issues(120);
            let site = presets::jira_cloud_basic(
                "demo",
                action_demo::JIRA_EMAIL,
                action_demo::JIRA_API_TOKEN,
            )
            .base_url(demo.jira_site_url())
            .build()?;
            (site, Some(demo))
        }
    };
    println!("Jira site: {}", site.base_url());

    let mut projects = jira::projects(&site);
    while let Some(project) = projects.next().await {
        let project = project?;
        println!("project  {:<6} {}", project.key, project.name);
    }

    let jql =
        std::env::var("JIRA_JQL").unwrap_or_else(|_| "project = OPS ORDER BY created DESC".into());
    let mut found = 0;
    let mut search = jira::search(&site, jql.as_str());
    while let Some(issue) = search.next().await {
        let issue = issue?;
        if found < 3 {
            println!(
                "issue    {:<8} {}",
                issue.key,
                issue.fields["summary"].as_str().unwrap_or_default()
            );
        }
        found += 1;
    }
    println!("search   {found} issue(s) for `{jql}`");

    if let Some(demo) = &demo {
        let created = site
            .send(jira::CreateIssue {
                body: jira::NewIssue::new("OPS", "Task", "Rotate the API token"),
            })
            .await?;
        println!("created  {} -> {}", created.body.key, created.status);
        match site
            .send(jira::CreateIssue {
                body: jira::NewIssue::new("OPS", "Task", ""),
            })
            .await
        {
            Err(error) => println!("invalid  -> {:?}", jira::error(&error).map(|e| e.errors)),
            Ok(_) => return Err("an empty summary must be refused".into()),
        }
        // Two 429s with `Retry-After: 1`: the GET waits them out and succeeds.
        demo.throttle_jira(2);
        let started = std::time::Instant::now();
        let issue = site
            .send(jira::GetIssue {
                issue_id_or_key: &created.body.key,
            })
            .await?;
        println!(
            "read     {} after {:.1?} of rate limiting",
            issue.body.key,
            started.elapsed()
        );
    }
    Ok(())
}

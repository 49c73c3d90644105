//! Adobe User Management API: users and groups by page, one user, and the
//! `/action` command API, declared with `api_action!`. Feature `umapi`.
//!
//! The command API answers `200` even when commands fail; its outcome is typed
//! ([`ActionResult::Partial`], [`ActionResult::Error`]) so a failure is never
//! mistaken for success, and [`ActionOutcome::ensure_success`] turns it into an
//! error. A request takes at most 10 commands: [`umapi_batch!`](crate::umapi_batch)
//! checks that at compile time, [`Batch::new`] before sending.
//!
//! ```no_run
//! use api_action::{presets, umapi, umapi_batch};
//!
//! # async fn run(org: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let api = presets::adobe_umapi(presets::adobe_ims("client-id", "client-secret")).build()?;
//! let batch = umapi_batch![
//!     umapi::Command::new("ada@example.com").step(umapi::Step::add_to_groups(["Admins"])),
//! ];
//! let outcome = api
//!     .send(umapi::RunActions { org_id: org, query: umapi::ActionQuery::default(), body: batch })
//!     .await?
//!     .body
//!     .ensure_success()?;
//! println!("{} done", outcome.completed);
//! # Ok(()) }
//! ```

use crate::paging::{paginate, Items, Step as PageStep};
use crate::{api_action, Action as _, Connector};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most commands one `/action` request may carry.
pub const MAX_COMMANDS: usize = 10;

api_action! {
    /// One page (0-based) of the organization's users; a page past the end
    /// answers the last page again, so page until `lastPage`.
    pub ListUsers = GET "/users/<orgId>/<page>" -> UsersPage;
    /// One page of the organization's groups.
    pub ListGroups = GET "/groups/<orgId>/<page>" -> GroupsPage;
    /// One user, by email.
    pub GetUser = GET "/organizations/<orgId>/users/<email>" -> UserAnswer;
    /// Runs up to 10 commands (`?testOnly=true` validates without applying).
    pub RunActions = POST "/action/<orgId>" query<ActionQuery> body<Batch> -> ActionOutcome;
}

/// An Adobe user.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's id.
    pub id: String,
    /// Email address.
    pub email: String,
    /// `active`, `disabled`, ...
    #[serde(default)]
    pub status: String,
    /// `adobeID`, `enterpriseID`, `federatedID`.
    #[serde(rename = "type", default)]
    pub user_type: String,
    /// First name.
    #[serde(default)]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(default)]
    pub lastname: Option<String>,
    /// Country code.
    #[serde(default)]
    pub country: Option<String>,
    /// The user groups the user is in.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// An Adobe user group.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The group's id.
    pub group_id: u64,
    /// The group's name.
    pub group_name: String,
    /// `USER_GROUP`, `PRODUCT_PROFILE`, ...
    #[serde(rename = "type", default)]
    pub group_type: String,
    /// How many users are in it.
    #[serde(default)]
    pub member_count: u64,
}

/// A page of users.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsersPage {
    /// Whether this is the last page.
    pub last_page: bool,
    /// `success`.
    pub result: String,
    /// This page's users.
    #[serde(default)]
    pub users: Vec<User>,
}

/// A page of groups.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupsPage {
    /// Whether this is the last page.
    pub last_page: bool,
    /// `success`.
    pub result: String,
    /// This page's groups.
    #[serde(default)]
    pub groups: Vec<Group>,
}

/// The answer about one user.
#[derive(Debug, Clone, Deserialize)]
pub struct UserAnswer {
    /// `success`.
    pub result: String,
    /// The user.
    pub user: User,
}

/// `?testOnly=true`: validate the commands without applying them.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionQuery {
    /// Validate only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_only: Option<bool>,
}

impl ActionQuery {
    /// Validate only.
    pub fn test_only() -> Self {
        ActionQuery {
            test_only: Some(true),
        }
    }
}

/// One command: a user and the steps to apply to it, in order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Command {
    /// The user's email (or username).
    pub user: String,
    /// Your id for the command, echoed in errors.
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The steps.
    #[serde(rename = "do")]
    pub steps: Vec<Step>,
}

impl Command {
    /// A command about `user`, with no steps yet.
    pub fn new(user: impl Into<String>) -> Self {
        Command {
            user: user.into(),
            request_id: None,
            steps: Vec::new(),
        }
    }

    /// Sets the request id echoed in errors.
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// Adds a step.
    pub fn step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }
}

/// One step of a command; serialized as UMAPI's one-key objects (`{"add": {..}}`).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// Create an Adobe ID user.
    #[serde(rename = "addAdobeID")]
    AddAdobeId(NewUser),
    /// Create a Federated ID user.
    #[serde(rename = "createFederatedID")]
    CreateFederatedId(NewUser),
    /// Add the user to groups.
    Add(Groups),
    /// Remove the user from groups.
    Remove(Groups),
    /// Change the user's name.
    Update(NewUser),
    /// Remove the user from the organization.
    RemoveFromOrg(Empty),
}

impl Step {
    /// `{"add": {"group": [..]}}`.
    pub fn add_to_groups<'a>(groups: impl IntoIterator<Item = &'a str>) -> Self {
        Step::Add(Groups {
            group: groups.into_iter().map(String::from).collect(),
        })
    }

    /// `{"remove": {"group": [..]}}`.
    pub fn remove_from_groups<'a>(groups: impl IntoIterator<Item = &'a str>) -> Self {
        Step::Remove(Groups {
            group: groups.into_iter().map(String::from).collect(),
        })
    }

    /// `{"removeFromOrg": {}}`.
    pub fn remove_from_org() -> Self {
        Step::RemoveFromOrg(Empty {})
    }
}

/// The user attributes of a create or update step.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct NewUser {
    /// Email address (creates only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firstname: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lastname: Option<String>,
}

/// The groups of an add or remove step.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Groups {
    /// Group names.
    pub group: Vec<String>,
}

/// An empty step body (`{}`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Empty {}

/// The body of `/action`: at most [`MAX_COMMANDS`] commands, checked when built.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(transparent)]
pub struct Batch(Vec<Command>);

/// More than [`MAX_COMMANDS`] commands for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooManyCommands {
    /// How many were given.
    pub count: usize,
}

impl fmt::Display for TooManyCommands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} commands for one UMAPI request; it takes at most {MAX_COMMANDS}: split them",
            self.count
        )
    }
}

impl std::error::Error for TooManyCommands {}

impl Batch {
    /// A batch of commands, refused when there are more than [`MAX_COMMANDS`] or
    /// none (nothing is sent either way).
    pub fn new(commands: Vec<Command>) -> Result<Self, TooManyCommands> {
        if commands.len() > MAX_COMMANDS {
            return Err(TooManyCommands {
                count: commands.len(),
            });
        }
        Ok(Batch(commands))
    }

    /// Splits any number of commands into batches the service accepts.
    pub fn chunks(commands: Vec<Command>) -> Vec<Batch> {
        commands
            .chunks(MAX_COMMANDS)
            .map(|chunk| Batch(chunk.to_vec()))
            .collect()
    }

    /// Used by [`umapi_batch!`](crate::umapi_batch) once it has counted the
    /// commands at compile time.
    #[doc(hidden)]
    pub fn checked(commands: Vec<Command>) -> Self {
        Batch(commands)
    }

    /// The commands.
    pub fn commands(&self) -> &[Command] {
        &self.0
    }
}

/// A batch of literal commands, counted at compile time: more than 10 is a
/// compile error.
///
/// ```
/// use api_action::{umapi::{Command, Step}, umapi_batch};
///
/// let batch = umapi_batch![
///     Command::new("ada@example.com").step(Step::add_to_groups(["Admins"])),
///     Command::new("grace@example.com").step(Step::remove_from_org()),
/// ];
/// assert_eq!(batch.commands().len(), 2);
/// ```
#[macro_export]
macro_rules! umapi_batch {
    ($($command:expr),* $(,)?) => {{
        const _: () = ::core::assert!(
            <[()]>::len(&[$($crate::umapi_batch!(@unit $command)),*]) <= $crate::umapi::MAX_COMMANDS,
            "a UMAPI request takes at most 10 commands: split them (see `Batch::chunks`)"
        );
        $crate::umapi::Batch::checked(::std::vec![$($command),*])
    }};
    (@unit $command:expr) => { () };
}

/// What `/action` answers: always `200`, with the outcome in the body.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ActionOutcome {
    /// All, some or none of the commands completed.
    pub result: ActionResult,
    /// Commands completed.
    #[serde(default)]
    pub completed: u32,
    /// Commands not completed.
    #[serde(default)]
    pub not_completed: u32,
    /// Commands that would complete (with `testOnly`).
    #[serde(default)]
    pub completed_in_test_mode: u32,
    /// What failed.
    #[serde(default)]
    pub errors: Vec<CommandError>,
}

/// The overall result of a batch.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[must_use = "a batch may have failed in part: check the result"]
pub enum ActionResult {
    /// Every command completed.
    Success,
    /// Some commands failed; see the errors.
    Partial,
    /// No command completed.
    Error,
}

/// One failed step.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// The command's index in the batch.
    pub index: u32,
    /// The step's index in the command.
    #[serde(default)]
    pub step: u32,
    /// The command's request id.
    #[serde(rename = "requestID", default)]
    pub request_id: Option<String>,
    /// The user.
    #[serde(default)]
    pub user: Option<String>,
    /// What went wrong.
    pub message: String,
    /// `error.user.nonexistent`, `error.group.not_found`, ...
    pub error_code: String,
}

/// A batch that did not fully succeed.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandsFailed(pub ActionOutcome);

impl fmt::Display for CommandsFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UMAPI batch {:?}: {} completed, {} not",
            self.0.result, self.0.completed, self.0.not_completed
        )?;
        for error in &self.0.errors {
            write!(
                f,
                "; command {} step {}: {} ({})",
                error.index, error.step, error.message, error.error_code
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for CommandsFailed {}

impl ActionOutcome {
    /// The outcome if every command completed, else an error listing what failed.
    pub fn ensure_success(self) -> Result<Self, CommandsFailed> {
        match self.result {
            ActionResult::Success if self.errors.is_empty() => Ok(self),
            _ => Err(CommandsFailed(self)),
        }
    }
}

/// Every user of the organization, page by page until `lastPage` (UMAPI answers
/// a page past the end with the last page again, so only `lastPage` ends it).
pub fn users(api: &Connector, org_id: &str) -> Items<User> {
    let org_id = org_id.to_string();
    paginate(
        api,
        0u32,
        move |page: &u32| {
            ListUsers {
                org_id: org_id.clone(),
                page: *page,
            }
            .into_request()
        },
        |page, answer| PageStep {
            next: (!answer.body.last_page).then_some(page + 1),
            items: answer.body.users,
        },
    )
}

/// Every user group of the organization, page by page.
pub fn groups(api: &Connector, org_id: &str) -> Items<Group> {
    let org_id = org_id.to_string();
    paginate(
        api,
        0u32,
        move |page: &u32| {
            ListGroups {
                org_id: org_id.clone(),
                page: *page,
            }
            .into_request()
        },
        |page, answer| PageStep {
            next: (!answer.body.last_page).then_some(page + 1),
            items: answer.body.groups,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_serialize_as_umapi_expects() {
        let batch = Batch::new(vec![Command::new("ada@example.com")
            .request_id("r1")
            .step(Step::CreateFederatedId(NewUser {
                email: Some("ada@example.com".into()),
                country: Some("GB".into()),
                firstname: Some("Ada".into()),
                lastname: None,
            }))
            .step(Step::add_to_groups(["Admins"]))
            .step(Step::remove_from_org())])
        .unwrap();
        assert_eq!(
            serde_json::to_value(&batch).unwrap(),
            serde_json::json!([{
                "user": "ada@example.com",
                "requestID": "r1",
                "do": [
                    {"createFederatedID": {"email": "ada@example.com", "country": "GB", "firstname": "Ada"}},
                    {"add": {"group": ["Admins"]}},
                    {"removeFromOrg": {}}
                ]
            }])
        );
    }

    #[test]
    fn more_than_ten_commands_are_refused_before_sending() {
        let eleven = vec![Command::new("x@example.com"); 11];
        assert_eq!(
            Batch::new(eleven.clone()),
            Err(TooManyCommands { count: 11 })
        );
        let batches = Batch::chunks(eleven);
        assert_eq!(
            batches
                .iter()
                .map(|b| b.commands().len())
                .collect::<Vec<_>>(),
            [10, 1]
        );
    }

    #[test]
    fn a_partial_outcome_is_not_success() {
        let outcome: ActionOutcome = serde_json::from_str(
            r#"{"result":"partial","completed":1,"notCompleted":1,"errors":[{"index":1,"step":0,"requestID":"r2","message":"User does not exist","errorCode":"error.user.nonexistent"}]}"#,
        )
        .unwrap();
        let failed = outcome.ensure_success().unwrap_err();
        assert_eq!(
            failed.to_string(),
            "UMAPI batch Partial: 1 completed, 1 not; command 1 step 0: User does not exist (error.user.nonexistent)"
        );
    }
}

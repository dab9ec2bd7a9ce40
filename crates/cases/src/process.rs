//! Declarative processes: the states an application of a service goes through, the transitions
//! between them, who may take each, what each needs, and the time allowed in each state.
//!
//! A definition is data (JSON), checked once when it is loaded ([`ProcessDefinition::from_json`]),
//! and every transition an application takes is checked against it
//! ([`ProcessDefinition::transition`]). Nothing here touches a database.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessDefinition {
    pub key: String,
    pub version: u32,
    pub initial: String,
    pub states: Vec<State>,
    pub transitions: Vec<Transition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub id: String,
    pub label_bg: String,
    pub label_en: String,
    pub kind: StateKind,
    /// Working days the administration has to move an application on from this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_working_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateKind {
    /// The administration is working on it.
    Open,
    /// The applicant has been asked for something.
    WaitingApplicant,
    /// A co-applicant (an owner, a second parent) has been asked to consent.
    WaitingConsent,
    /// The service's fee is asked for; the case moves on when it is paid.
    WaitingPayment,
    /// Decided or ended; nothing happens after it.
    Final,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub id: String,
    pub from: Vec<String>,
    pub to: String,
    pub actor: ProcessRole,
    pub label_bg: String,
    pub label_en: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Requirement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessRole {
    Applicant,
    Operator,
    CoApplicant,
    /// The platform itself, for example when a rule finds that someone must consent.
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// Reasons in text (a refusal's motives).
    Reason,
    /// A message to the applicant (what more is needed).
    Message,
    /// The document the service issues.
    ResultDocument,
    /// The operator must have claimed the application first.
    Assigned,
}

/// What came with a request to take a transition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Provided {
    pub reason: bool,
    pub message: bool,
    pub result_document: bool,
    /// The application is assigned to the person acting.
    pub assigned_to_actor: bool,
}

impl Provided {
    fn has(&self, requirement: Requirement) -> bool {
        match requirement {
            Requirement::Reason => self.reason,
            Requirement::Message => self.message,
            Requirement::ResultDocument => self.result_document,
            Requirement::Assigned => self.assigned_to_actor,
        }
    }
}

/// A problem in a process definition, worded for the administrator who edits it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    #[error("the process definition could not be read: {0}")]
    Json(String),
    #[error("state \"{0}\" is defined more than once")]
    DuplicateState(String),
    #[error("transition \"{0}\" is defined more than once")]
    DuplicateTransition(String),
    #[error("the initial state \"{0}\" is not one of the process's states")]
    UnknownInitialState(String),
    #[error("transition \"{transition}\" starts from no state; list at least one in \"from\"")]
    NoFromState { transition: String },
    #[error("transition \"{transition}\" starts from \"{state}\", which is not one of the process's states")]
    UnknownFromState { transition: String, state: String },
    #[error("transition \"{transition}\" leads to \"{state}\", which is not one of the process's states")]
    UnknownToState { transition: String, state: String },
    #[error("transition \"{transition}\" leaves \"{state}\", which is a final state: nothing may happen after a final state")]
    LeavesFinalState { transition: String, state: String },
    #[error("transition \"{0}\" requires the case to be assigned, but only an operator's transition can require that")]
    AssignedWithoutOperator(String),
    #[error("state \"{0}\" has no way out: add a transition from it, or make it final")]
    DeadEnd(String),
    #[error("state \"{state}\" cannot be reached from the initial state \"{initial}\"")]
    Unreachable { state: String, initial: String },
    #[error(
        "no final state can be reached from state \"{0}\", so an application there could never end"
    )]
    CannotFinish(String),
}

/// Why a transition was refused. [`TransitionError::code`] is stable, for the API;
/// [`TransitionError::message`] is for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("there is no transition \"{0}\" in this process")]
    UnknownTransition(String),
    #[error("there is no state \"{0}\" in this process")]
    UnknownState(String),
    #[error("transition \"{transition}\" cannot be taken from state \"{state}\"")]
    NotAllowed { transition: String, state: String },
    #[error("transition \"{transition}\" is for {expected:?}, not {actual:?}")]
    WrongActor {
        transition: String,
        expected: ProcessRole,
        actual: ProcessRole,
    },
    #[error("the application must be assigned to the operator first")]
    NotAssigned,
    #[error("reasons are required")]
    MissingReason,
    #[error("a message to the applicant is required")]
    MissingMessage,
    #[error("the result document is required")]
    MissingResultDocument,
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownTransition(_) => "transition.unknown",
            Self::UnknownState(_) => "transition.unknown_state",
            Self::NotAllowed { .. } => "transition.not_allowed",
            Self::WrongActor { .. } => "transition.wrong_actor",
            Self::NotAssigned => "transition.not_assigned",
            Self::MissingReason => "transition.missing_reason",
            Self::MissingMessage => "transition.missing_message",
            Self::MissingResultDocument => "transition.missing_result_document",
        }
    }

    /// A plain message for the person who tried, in Bulgarian (`bg`) or English.
    pub fn message(&self, bg: bool) -> &'static str {
        match (self, bg) {
            (Self::UnknownTransition(_), true) => {
                "Това действие не съществува в процедурата на услугата."
            }
            (Self::UnknownTransition(_), false) => {
                "This action does not exist in the service's process."
            }
            (Self::UnknownState(_), true) => {
                "Заявлението е в състояние, което процедурата на услугата не познава."
            }
            (Self::UnknownState(_), false) => {
                "The application is in a state that the service's process does not know."
            }
            (Self::NotAllowed { .. }, true) => {
                "Това действие не е възможно на този етап от заявлението."
            }
            (Self::NotAllowed { .. }, false) => {
                "This action is not possible at this stage of the application."
            }
            (Self::WrongActor { .. }, true) => "Нямате право да извършите това действие.",
            (Self::WrongActor { .. }, false) => "You are not allowed to take this action.",
            (Self::NotAssigned, true) => "Поемете заявлението, преди да извършите това действие.",
            (Self::NotAssigned, false) => {
                "Assign the application to yourself before taking this action."
            }
            (Self::MissingReason, true) => "Въведете мотивите.",
            (Self::MissingReason, false) => "Enter the reasons.",
            (Self::MissingMessage, true) => "Въведете съобщение до заявителя.",
            (Self::MissingMessage, false) => "Enter a message to the applicant.",
            (Self::MissingResultDocument, true) => {
                "Приложете документа, който се издава като резултат от услугата."
            }
            (Self::MissingResultDocument, false) => "Attach the document that the service issues.",
        }
    }

    fn missing(requirement: Requirement) -> Self {
        match requirement {
            Requirement::Reason => Self::MissingReason,
            Requirement::Message => Self::MissingMessage,
            Requirement::ResultDocument => Self::MissingResultDocument,
            Requirement::Assigned => Self::NotAssigned,
        }
    }
}

/// The order in which missing requirements are reported: being assigned comes before any input.
const REQUIREMENT_ORDER: [Requirement; 4] = [
    Requirement::Assigned,
    Requirement::Reason,
    Requirement::Message,
    Requirement::ResultDocument,
];

impl Transition {
    /// What this transition requires that `provided` lacks, assignment first; empty when it may be
    /// taken. For forms that show every missing field at once.
    pub fn missing(&self, provided: &Provided) -> Vec<Requirement> {
        REQUIREMENT_ORDER
            .into_iter()
            .filter(|r| self.requires.contains(r) && !provided.has(*r))
            .collect()
    }
}

impl ProcessDefinition {
    /// Reads a definition and checks it; the error is the first problem found
    /// (see [`ProcessDefinition::problems`] for all of them).
    pub fn from_json(json: &str) -> Result<ProcessDefinition, ProcessError> {
        let definition: ProcessDefinition =
            serde_json::from_str(json).map_err(|e| ProcessError::Json(e.to_string()))?;
        definition.validate()?;
        Ok(definition)
    }

    pub fn validate(&self) -> Result<(), ProcessError> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every problem in the definition, in a stable order, for the administrator's editor.
    pub fn problems(&self) -> Vec<ProcessError> {
        let mut problems = Vec::new();

        let mut seen = HashSet::new();
        for state in &self.states {
            if !seen.insert(state.id.as_str()) {
                problems.push(ProcessError::DuplicateState(state.id.clone()));
            }
        }
        let mut seen = HashSet::new();
        for transition in &self.transitions {
            if !seen.insert(transition.id.as_str()) {
                problems.push(ProcessError::DuplicateTransition(transition.id.clone()));
            }
        }

        let kinds: HashMap<&str, StateKind> = self
            .states
            .iter()
            .map(|s| (s.id.as_str(), s.kind))
            .collect();
        if !kinds.contains_key(self.initial.as_str()) {
            problems.push(ProcessError::UnknownInitialState(self.initial.clone()));
        }

        for t in &self.transitions {
            if t.from.is_empty() {
                problems.push(ProcessError::NoFromState {
                    transition: t.id.clone(),
                });
            }
            for from in &t.from {
                match kinds.get(from.as_str()) {
                    None => problems.push(ProcessError::UnknownFromState {
                        transition: t.id.clone(),
                        state: from.clone(),
                    }),
                    Some(StateKind::Final) => problems.push(ProcessError::LeavesFinalState {
                        transition: t.id.clone(),
                        state: from.clone(),
                    }),
                    Some(_) => {}
                }
            }
            if !kinds.contains_key(t.to.as_str()) {
                problems.push(ProcessError::UnknownToState {
                    transition: t.id.clone(),
                    state: t.to.clone(),
                });
            }
            if t.requires.contains(&Requirement::Assigned) && t.actor != ProcessRole::Operator {
                problems.push(ProcessError::AssignedWithoutOperator(t.id.clone()));
            }
        }

        // The graph, on the states that exist.
        let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut previous: HashMap<&str, Vec<&str>> = HashMap::new();
        for t in &self.transitions {
            for from in &t.from {
                if kinds.contains_key(from.as_str()) && kinds.contains_key(t.to.as_str()) {
                    next.entry(from).or_default().push(&t.to);
                    previous.entry(&t.to).or_default().push(from);
                }
            }
        }

        for state in &self.states {
            if state.kind != StateKind::Final
                && !self.transitions.iter().any(|t| t.from.contains(&state.id))
            {
                problems.push(ProcessError::DeadEnd(state.id.clone()));
            }
        }

        if kinds.contains_key(self.initial.as_str()) {
            let reachable = reach(&next, [self.initial.as_str()]);
            for state in &self.states {
                if !reachable.contains(state.id.as_str()) {
                    problems.push(ProcessError::Unreachable {
                        state: state.id.clone(),
                        initial: self.initial.clone(),
                    });
                }
            }
        }

        let finals = self
            .states
            .iter()
            .filter(|s| s.kind == StateKind::Final)
            .map(|s| s.id.as_str());
        let can_finish = reach(&previous, finals);
        for state in &self.states {
            if !can_finish.contains(state.id.as_str()) {
                problems.push(ProcessError::CannotFinish(state.id.clone()));
            }
        }

        problems.dedup();
        problems
    }

    pub fn state(&self, id: &str) -> Option<&State> {
        self.states.iter().find(|s| s.id == id)
    }

    pub fn initial_state(&self) -> Option<&State> {
        self.state(&self.initial)
    }

    /// Checks that `actor` may take `transition_id` from `from_state` with what was `provided`,
    /// and returns the transition (its `to` is the new state).
    pub fn transition(
        &self,
        from_state: &str,
        transition_id: &str,
        actor: ProcessRole,
        provided: &Provided,
    ) -> Result<&Transition, TransitionError> {
        let transition = self
            .transitions
            .iter()
            .find(|t| t.id == transition_id)
            .ok_or_else(|| TransitionError::UnknownTransition(transition_id.to_owned()))?;
        if self.state(from_state).is_none() {
            return Err(TransitionError::UnknownState(from_state.to_owned()));
        }
        if !transition.from.iter().any(|s| s == from_state) {
            return Err(TransitionError::NotAllowed {
                transition: transition.id.clone(),
                state: from_state.to_owned(),
            });
        }
        if transition.actor != actor {
            return Err(TransitionError::WrongActor {
                transition: transition.id.clone(),
                expected: transition.actor,
                actual: actor,
            });
        }
        match transition.missing(provided).first() {
            Some(requirement) => Err(TransitionError::missing(*requirement)),
            None => Ok(transition),
        }
    }

    /// The transitions `actor` may take from `state`, in definition order, for building buttons.
    /// Requirements are not checked: a button can lead to the form that collects them.
    pub fn available(&self, state: &str, actor: ProcessRole) -> Vec<&Transition> {
        self.transitions
            .iter()
            .filter(|t| t.actor == actor && t.from.iter().any(|s| s == state))
            .collect()
    }
}

/// The states reachable from `start` along `edges`, `start` included.
fn reach<'a>(
    edges: &HashMap<&'a str, Vec<&'a str>>,
    start: impl IntoIterator<Item = &'a str>,
) -> HashSet<&'a str> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    for s in start {
        if seen.insert(s) {
            queue.push_back(s);
        }
    }
    while let Some(state) = queue.pop_front() {
        for &n in edges.get(state).into_iter().flatten() {
            if seen.insert(n) {
                queue.push_back(n);
            }
        }
    }
    seen
}

/// Sofia's address registration (адресна регистрация): a change of permanent or current address.
/// The result is the certificate of address registration (удостоверение за адресна регистрация).
pub const ADDRESS_REGISTRATION: &str = include_str!("../processes/address_registration.json");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn flagship() -> ProcessDefinition {
        ProcessDefinition::from_json(ADDRESS_REGISTRATION).unwrap()
    }

    fn state(id: &str, kind: &str) -> Value {
        json!({ "id": id, "label_bg": id, "label_en": id, "kind": kind })
    }

    fn transition(id: &str, from: &[&str], to: &str) -> Value {
        json!({ "id": id, "from": from, "to": to, "actor": "operator", "label_bg": id, "label_en": id })
    }

    /// open → done, valid; each test breaks one rule.
    fn small() -> Value {
        json!({
            "key": "small", "version": 1, "initial": "open",
            "states": [state("open", "open"), state("done", "final")],
            "transitions": [transition("finish", &["open"], "done")]
        })
    }

    fn load(definition: &Value) -> Result<ProcessDefinition, ProcessError> {
        ProcessDefinition::from_json(&definition.to_string())
    }

    fn push(definition: &mut Value, list: &str, item: Value) {
        definition[list].as_array_mut().unwrap().push(item);
    }

    #[test]
    fn the_flagship_definition_loads() {
        let process = flagship();
        assert_eq!(process.key, "address_registration");
        assert_eq!(process.states.len(), 8);
        assert!(process.problems().is_empty());
        assert_eq!(process.initial_state().unwrap().label_bg, "Подадено");
        assert_eq!(
            process.state("in_review").unwrap().deadline_working_days,
            Some(7)
        );
        assert_eq!(process.state("approved").unwrap().kind, StateKind::Final);
    }

    #[test]
    fn the_small_definition_loads() {
        assert!(load(&small()).is_ok());
    }

    #[test]
    fn rejects_bad_json_and_unknown_fields() {
        assert!(matches!(
            ProcessDefinition::from_json("{"),
            Err(ProcessError::Json(_))
        ));
        let mut d = small();
        d["states"][0]["deadline_days"] = json!(3);
        let err = load(&d).unwrap_err();
        assert!(err.to_string().contains("deadline_days"), "{err}");
        let mut d = small();
        d["transitions"][0]["actor"] = json!("mayor");
        assert!(matches!(load(&d), Err(ProcessError::Json(_))));
    }

    #[test]
    fn rejects_a_duplicate_state() {
        let mut d = small();
        push(&mut d, "states", state("open", "open"));
        let err = load(&d).unwrap_err();
        assert_eq!(err, ProcessError::DuplicateState("open".into()));
        assert_eq!(err.to_string(), "state \"open\" is defined more than once");
    }

    #[test]
    fn rejects_a_duplicate_transition() {
        let mut d = small();
        push(
            &mut d,
            "transitions",
            transition("finish", &["open"], "done"),
        );
        assert_eq!(
            load(&d),
            Err(ProcessError::DuplicateTransition("finish".into()))
        );
    }

    #[test]
    fn rejects_an_unknown_initial_state() {
        let mut d = small();
        d["initial"] = json!("start");
        assert_eq!(
            load(&d),
            Err(ProcessError::UnknownInitialState("start".into()))
        );
    }

    #[test]
    fn rejects_a_transition_from_nowhere() {
        let mut d = small();
        push(&mut d, "transitions", transition("orphan", &[], "done"));
        assert_eq!(
            load(&d),
            Err(ProcessError::NoFromState {
                transition: "orphan".into()
            })
        );
    }

    #[test]
    fn rejects_an_unknown_from_state() {
        let mut d = small();
        push(&mut d, "transitions", transition("jump", &["opne"], "done"));
        assert_eq!(
            load(&d),
            Err(ProcessError::UnknownFromState {
                transition: "jump".into(),
                state: "opne".into()
            })
        );
    }

    #[test]
    fn rejects_an_unknown_to_state() {
        let mut d = small();
        push(&mut d, "transitions", transition("jump", &["open"], "dnoe"));
        let err = load(&d).unwrap_err();
        assert_eq!(
            err,
            ProcessError::UnknownToState {
                transition: "jump".into(),
                state: "dnoe".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "transition \"jump\" leads to \"dnoe\", which is not one of the process's states"
        );
    }

    #[test]
    fn rejects_a_transition_out_of_a_final_state() {
        let mut d = small();
        push(
            &mut d,
            "transitions",
            transition("reopen", &["done"], "open"),
        );
        assert_eq!(
            load(&d),
            Err(ProcessError::LeavesFinalState {
                transition: "reopen".into(),
                state: "done".into()
            })
        );
    }

    #[test]
    fn rejects_assignment_on_a_transition_not_for_an_operator() {
        let mut d = small();
        d["transitions"][0]["actor"] = json!("applicant");
        d["transitions"][0]["requires"] = json!(["assigned"]);
        assert_eq!(
            load(&d),
            Err(ProcessError::AssignedWithoutOperator("finish".into()))
        );
    }

    #[test]
    fn rejects_a_state_with_no_way_out() {
        let mut d = small();
        push(&mut d, "states", state("stuck", "open"));
        push(
            &mut d,
            "transitions",
            transition("get_stuck", &["open"], "stuck"),
        );
        assert_eq!(load(&d), Err(ProcessError::DeadEnd("stuck".into())));
    }

    #[test]
    fn rejects_an_unreachable_state() {
        let mut d = small();
        push(&mut d, "states", state("island", "open"));
        push(
            &mut d,
            "transitions",
            transition("leave_island", &["island"], "done"),
        );
        assert_eq!(
            load(&d),
            Err(ProcessError::Unreachable {
                state: "island".into(),
                initial: "open".into()
            })
        );
    }

    #[test]
    fn rejects_a_state_from_which_no_final_state_can_be_reached() {
        let mut d = small();
        push(&mut d, "states", state("loop_a", "open"));
        push(&mut d, "states", state("loop_b", "open"));
        push(
            &mut d,
            "transitions",
            transition("enter_loop", &["open"], "loop_a"),
        );
        push(
            &mut d,
            "transitions",
            transition("a_to_b", &["loop_a"], "loop_b"),
        );
        push(
            &mut d,
            "transitions",
            transition("b_to_a", &["loop_b"], "loop_a"),
        );
        assert_eq!(load(&d), Err(ProcessError::CannotFinish("loop_a".into())));
        let problems = serde_json::from_value::<ProcessDefinition>(d)
            .unwrap()
            .problems();
        assert_eq!(
            problems,
            vec![
                ProcessError::CannotFinish("loop_a".into()),
                ProcessError::CannotFinish("loop_b".into())
            ]
        );
    }

    #[test]
    fn a_process_without_a_final_state_cannot_finish() {
        let d = json!({
            "key": "endless", "version": 1, "initial": "a",
            "states": [state("a", "open")],
            "transitions": [transition("again", &["a"], "a")]
        });
        assert_eq!(load(&d), Err(ProcessError::CannotFinish("a".into())));
    }

    #[test]
    fn operator_takes_allowed_transitions() {
        let process = flagship();
        let assigned = Provided {
            assigned_to_actor: true,
            ..Provided::default()
        };
        let t = process
            .transition(
                "submitted",
                "start_review",
                ProcessRole::Operator,
                &assigned,
            )
            .unwrap();
        assert_eq!(t.to, "in_review");
        let t = process
            .transition(
                "in_review",
                "refuse",
                ProcessRole::Operator,
                &Provided {
                    reason: true,
                    ..assigned
                },
            )
            .unwrap();
        assert_eq!(t.to, "refused");
        let t = process
            .transition(
                "in_review",
                "approve",
                ProcessRole::Operator,
                &Provided {
                    result_document: true,
                    ..assigned
                },
            )
            .unwrap();
        assert_eq!(t.to, "approved");
    }

    #[test]
    fn applicant_and_system_transitions() {
        let process = flagship();
        let none = Provided::default();
        for from in [
            "submitted",
            "in_review",
            "waiting_applicant",
            "waiting_consent",
        ] {
            let t = process
                .transition(from, "withdraw", ProcessRole::Applicant, &none)
                .unwrap();
            assert_eq!(t.to, "withdrawn");
        }
        let t = process
            .transition(
                "waiting_applicant",
                "provide_information",
                ProcessRole::Applicant,
                &none,
            )
            .unwrap();
        assert_eq!(t.to, "in_review");
        let t = process
            .transition(
                "waiting_consent",
                "consent_given",
                ProcessRole::System,
                &none,
            )
            .unwrap();
        assert_eq!(t.to, "submitted");
        let t = process
            .transition(
                "waiting_consent",
                "consent_refused",
                ProcessRole::System,
                &none,
            )
            .unwrap();
        assert_eq!(t.to, "refused");
        let t = process
            .transition("submitted", "request_consent", ProcessRole::System, &none)
            .unwrap();
        assert_eq!(t.to, "waiting_consent");
    }

    #[test]
    fn refuses_the_wrong_actor() {
        let process = flagship();
        let everything = Provided {
            reason: true,
            message: true,
            result_document: true,
            assigned_to_actor: true,
        };
        let err = process
            .transition("in_review", "approve", ProcessRole::Applicant, &everything)
            .unwrap_err();
        assert_eq!(
            err,
            TransitionError::WrongActor {
                transition: "approve".into(),
                expected: ProcessRole::Operator,
                actual: ProcessRole::Applicant
            }
        );
        assert_eq!(err.code(), "transition.wrong_actor");
        let err = process
            .transition(
                "waiting_consent",
                "consent_given",
                ProcessRole::CoApplicant,
                &everything,
            )
            .unwrap_err();
        assert_eq!(err.code(), "transition.wrong_actor");
    }

    #[test]
    fn refuses_a_missing_reason() {
        let process = flagship();
        let err = process
            .transition(
                "in_review",
                "refuse",
                ProcessRole::Operator,
                &Provided {
                    assigned_to_actor: true,
                    ..Provided::default()
                },
            )
            .unwrap_err();
        assert_eq!(err, TransitionError::MissingReason);
        assert_eq!(err.code(), "transition.missing_reason");
        assert_eq!(err.message(true), "Въведете мотивите.");
        assert_eq!(err.message(false), "Enter the reasons.");
    }

    #[test]
    fn refuses_other_missing_requirements() {
        let process = flagship();
        let assigned = Provided {
            assigned_to_actor: true,
            ..Provided::default()
        };
        let err = process
            .transition("in_review", "approve", ProcessRole::Operator, &assigned)
            .unwrap_err();
        assert_eq!(err.code(), "transition.missing_result_document");
        let err = process
            .transition(
                "in_review",
                "request_information",
                ProcessRole::Operator,
                &assigned,
            )
            .unwrap_err();
        assert_eq!(err.code(), "transition.missing_message");
        // Assignment is checked before the form's fields.
        let err = process
            .transition(
                "in_review",
                "refuse",
                ProcessRole::Operator,
                &Provided {
                    reason: true,
                    ..Provided::default()
                },
            )
            .unwrap_err();
        assert_eq!(err, TransitionError::NotAssigned);
        assert_eq!(err.code(), "transition.not_assigned");
        let refuse = process
            .transitions
            .iter()
            .find(|t| t.id == "refuse")
            .unwrap();
        assert_eq!(
            refuse.missing(&Provided::default()),
            vec![Requirement::Assigned, Requirement::Reason]
        );
    }

    #[test]
    fn refuses_unknown_transitions_and_wrong_states() {
        let process = flagship();
        let everything = Provided {
            reason: true,
            message: true,
            result_document: true,
            assigned_to_actor: true,
        };
        let err = process
            .transition("in_review", "publish", ProcessRole::Operator, &everything)
            .unwrap_err();
        assert_eq!(err, TransitionError::UnknownTransition("publish".into()));
        assert_eq!(err.code(), "transition.unknown");
        let err = process
            .transition("submitted", "approve", ProcessRole::Operator, &everything)
            .unwrap_err();
        assert_eq!(err.code(), "transition.not_allowed");
        let err = process
            .transition("approved", "withdraw", ProcessRole::Applicant, &everything)
            .unwrap_err();
        assert_eq!(err.code(), "transition.not_allowed");
        let err = process
            .transition("archived", "withdraw", ProcessRole::Applicant, &everything)
            .unwrap_err();
        assert_eq!(err.code(), "transition.unknown_state");
    }

    #[test]
    fn every_error_has_a_message_in_both_languages() {
        let errors = [
            TransitionError::UnknownTransition("x".into()),
            TransitionError::UnknownState("x".into()),
            TransitionError::NotAllowed {
                transition: "x".into(),
                state: "y".into(),
            },
            TransitionError::WrongActor {
                transition: "x".into(),
                expected: ProcessRole::Operator,
                actual: ProcessRole::Applicant,
            },
            TransitionError::NotAssigned,
            TransitionError::MissingReason,
            TransitionError::MissingMessage,
            TransitionError::MissingResultDocument,
        ];
        let codes: HashSet<_> = errors.iter().map(TransitionError::code).collect();
        assert_eq!(codes.len(), errors.len());
        for e in &errors {
            assert!(e.code().starts_with("transition."));
            assert_ne!(e.message(true), e.message(false));
        }
    }

    #[test]
    fn operator_buttons_in_review() {
        let process = flagship();
        let ids: Vec<&str> = process
            .available("in_review", ProcessRole::Operator)
            .into_iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, ["request_information", "approve", "refuse"]);
        let ids: Vec<&str> = process
            .available("in_review", ProcessRole::Applicant)
            .into_iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, ["withdraw"]);
        assert!(process
            .available("approved", ProcessRole::Applicant)
            .is_empty());
    }

    #[test]
    fn definitions_round_trip_through_json() {
        let process = flagship();
        let json = serde_json::to_string(&process).unwrap();
        assert_eq!(ProcessDefinition::from_json(&json).unwrap(), process);
    }
}

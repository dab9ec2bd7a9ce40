//! The processes services follow. Definitions are data (JSON), validated once when first loaded:
//! a broken definition stops the node at start-up rather than a case half-way.

use crate::process::ProcessDefinition;
use crate::CasesError;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A plain process for services with no special steps: submitted → in review → approved or refused,
/// with requests for more information in between.
pub const STANDARD: &str = include_str!("../../processes/standard.json");

/// The standard process with a wait for other people's consent (declared by the form) before
/// an operator sees the case.
pub const WITH_CONSENT: &str = include_str!("../../processes/with_consent.json");

fn registry() -> &'static Result<HashMap<String, ProcessDefinition>, String> {
    static REGISTRY: OnceLock<Result<HashMap<String, ProcessDefinition>, String>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut map = HashMap::new();
        for json in [crate::process::ADDRESS_REGISTRATION, STANDARD, WITH_CONSENT] {
            let def = ProcessDefinition::from_json(json).map_err(|e| e.to_string())?;
            map.insert(def.key.clone(), def);
        }
        Ok(map)
    })
}

/// Loads and validates every built-in process; call at start-up.
pub fn check_all() -> Result<usize, String> {
    registry().as_ref().map(|m| m.len()).map_err(Clone::clone)
}

/// The process with this key; `address-registration` and `address_registration` are the same key.
pub fn get(key: &str) -> Result<&'static ProcessDefinition, CasesError> {
    match registry() {
        Ok(map) => map
            .get(&key.replace('-', "_"))
            .ok_or_else(|| CasesError::UnknownProcess(key.to_owned())),
        Err(e) => Err(CasesError::Internal(format!(
            "process definitions are invalid: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::get;
    use crate::process::StateKind;

    /// The catalog keeps which library process a service chose; this block must be able to run
    /// each one, and one offered "with consents" must wait for them.
    #[test]
    fn every_process_the_catalog_offers_is_one_this_block_runs() {
        for offered in portico_catalog::service::editing::PROCESS_LIBRARY {
            let def = get(offered.key).unwrap_or_else(|e| panic!("{}: {e}", offered.key));
            let waits = def
                .states
                .iter()
                .any(|s| s.kind == StateKind::WaitingConsent);
            assert_eq!(waits, offered.consents, "{}", offered.key);
        }
    }
}

//! The set of faults in force: rules and toxics, replaced as a whole so
//! that every connection sees either the old set or the new one.

use std::sync::Arc;

use crate::rule::Rule;
use crate::toxic::{Toxic, ToxicKind};

/// A rule or a toxic.
// Faults are built a few at a time, never in a hot path: no box needed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Fault {
    /// A command-level rule.
    Rule(Rule),
    /// A connection-level toxic.
    Toxic(Toxic),
}

impl Fault {
    /// The fault's name.
    pub fn name(&self) -> &str {
        match self {
            Fault::Rule(rule) => rule.name(),
            Fault::Toxic(toxic) => toxic.name(),
        }
    }

    pub(crate) fn set_name(&mut self, name: String) {
        match self {
            Fault::Rule(rule) => rule.name = name,
            Fault::Toxic(toxic) => toxic.name = name,
        }
    }

    pub(crate) fn is_named(&self) -> bool {
        !self.name().is_empty()
    }
}

/// An immutable set of faults; changes build a new set.
#[derive(Debug, Default, Clone)]
pub struct FaultSet {
    pub(crate) rules: Vec<Arc<Rule>>,
    pub(crate) toxics: Vec<Arc<Toxic>>,
    /// Some rule selects by key: requests need their keys found.
    pub(crate) needs_keys: bool,
    /// A `down` toxic is in force.
    pub(crate) down: bool,
}

impl FaultSet {
    /// The rules, in order.
    pub fn rules(&self) -> &[Arc<Rule>] {
        &self.rules
    }

    /// The toxics, in order.
    pub fn toxics(&self) -> &[Arc<Toxic>] {
        &self.toxics
    }

    /// Whether there is no fault.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.toxics.is_empty()
    }

    fn refresh(&mut self) {
        self.needs_keys = self.rules.iter().any(|r| r.needs_keys());
        self.down = self
            .toxics
            .iter()
            .any(|t| matches!(t.kind, ToxicKind::Down));
    }

    /// Adds `fault`, replacing one of the same name in place (a replaced
    /// fault starts afresh: counters, and toxic state on connections).
    pub(crate) fn upsert(&mut self, fault: Fault) {
        match fault {
            Fault::Rule(rule) => {
                self.toxics.retain(|t| t.name != rule.name);
                match self.rules.iter().position(|r| r.name == rule.name) {
                    Some(i) => self.rules[i] = Arc::new(rule),
                    None => self.rules.push(Arc::new(rule)),
                }
            }
            Fault::Toxic(toxic) => {
                self.rules.retain(|r| r.name != toxic.name);
                match self.toxics.iter().position(|t| t.name == toxic.name) {
                    Some(i) => self.toxics[i] = Arc::new(toxic),
                    None => self.toxics.push(Arc::new(toxic)),
                }
            }
        }
        self.refresh();
    }

    /// Removes the faults named `name`; whether there was one.
    pub(crate) fn remove(&mut self, name: &str) -> bool {
        let before = self.rules.len() + self.toxics.len();
        self.rules.retain(|r| r.name != name);
        self.toxics.retain(|t| t.name != name);
        self.refresh();
        before != self.rules.len() + self.toxics.len()
    }

    /// Removes the faults whose name `drop` selects.
    pub(crate) fn remove_where(&mut self, drop: impl Fn(&str) -> bool) {
        self.rules.retain(|r| !drop(&r.name));
        self.toxics.retain(|t| !drop(&t.name));
        self.refresh();
    }

    /// Whether a fault is named `name`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.rules.iter().any(|r| r.name == name) || self.toxics.iter().any(|t| t.name == name)
    }
}

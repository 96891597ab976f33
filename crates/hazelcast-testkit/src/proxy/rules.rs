//! What the [`FaultProxy`](super::FaultProxy) does with a message: [`Condition`]s, [`Reaction`]s
//! and the [`Rule`]s that pair them.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hazelcast_codec::custom::ErrorHolder;
use hazelcast_codec::message::ERROR_MESSAGE_TYPE;
use hazelcast_codec::types::{VarList, encode_var_list};
use hazelcast_codec::{ClientMessage, ErrorCode, MessageWriter};
use tokio::sync::mpsc::UnboundedSender;

/// A test on one message (and the connection it travels on), evaluated by a [`Rule`].
///
/// [`Condition::And`] and [`Condition::Or`] evaluate their operands left to right and stop as
/// soon as the result is known, so a stateful operand ([`Condition::Times`],
/// [`Condition::Probability`]) placed last is only consulted for messages the others selected:
/// `And(vec![MessageType(GET), Times(1)])` matches the first `Map.Get` only.
#[derive(Clone)]
#[non_exhaustive]
pub enum Condition {
    /// Always true.
    True,
    /// Always false (a disabled rule).
    False,
    /// The message type equals this (e.g. `0x010200` for `Map.Get`, `0x010201` for its answer,
    /// `0` for an error response).
    MessageType(i32),
    /// The message is an event (`IS_EVENT` on its initial frame).
    IsEvent,
    /// The message is a backup-acknowledgement event (`BACKUP_EVENT` on its initial frame).
    IsBackupEvent,
    /// Every bit of the mask is set in the flags of the initial frame.
    FlagsContain(u16),
    /// The partition id of a request or event equals this (meaningless for responses, whose
    /// header has no partition id).
    PartitionId(i32),
    /// The message travels on the `n`-th connection (0-based) the proxy accepted **for this
    /// member**.
    ConnectionSeq(usize),
    /// The message travels on the `n`-th connection (0-based) the proxy accepted over all members.
    GlobalConnectionSeq(usize),
    /// The message travels to or from member `i` (the index in [`FaultProxy::start`](super::FaultProxy::start)).
    Member(usize),
    /// Negation.
    Not(Box<Condition>),
    /// True when all are (true when empty).
    And(Vec<Condition>),
    /// True when any is (false when empty).
    Or(Vec<Condition>),
    /// True the next `n` times it is evaluated, then false: the count goes down in place, across
    /// all connections the rule applies to.
    Times(usize),
    /// True with this probability (0.0 to 1.0) on each evaluation.
    Probability(f64),
    /// True when the function returns true.
    Predicate(Arc<dyn Fn(&ClientMessage) -> bool + Send + Sync>),
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::True => f.write_str("True"),
            Condition::False => f.write_str("False"),
            Condition::MessageType(t) => write!(f, "MessageType({t:#08x})"),
            Condition::IsEvent => f.write_str("IsEvent"),
            Condition::IsBackupEvent => f.write_str("IsBackupEvent"),
            Condition::FlagsContain(m) => write!(f, "FlagsContain({m:#06x})"),
            Condition::PartitionId(p) => write!(f, "PartitionId({p})"),
            Condition::ConnectionSeq(n) => write!(f, "ConnectionSeq({n})"),
            Condition::GlobalConnectionSeq(n) => write!(f, "GlobalConnectionSeq({n})"),
            Condition::Member(i) => write!(f, "Member({i})"),
            Condition::Not(c) => f.debug_tuple("Not").field(c).finish(),
            Condition::And(cs) => f.debug_tuple("And").field(cs).finish(),
            Condition::Or(cs) => f.debug_tuple("Or").field(cs).finish(),
            Condition::Times(n) => write!(f, "Times({n})"),
            Condition::Probability(p) => write!(f, "Probability({p})"),
            Condition::Predicate(_) => f.write_str("Predicate(..)"),
        }
    }
}

impl std::ops::Not for Condition {
    type Output = Condition;
    fn not(self) -> Condition {
        Condition::Not(Box::new(self))
    }
}

impl Condition {
    /// `self && other`.
    pub fn and(self, other: Condition) -> Condition {
        match self {
            Condition::And(mut all) => {
                all.push(other);
                Condition::And(all)
            }
            this => Condition::And(vec![this, other]),
        }
    }

    /// `self || other`.
    pub fn or(self, other: Condition) -> Condition {
        match self {
            Condition::Or(mut any) => {
                any.push(other);
                Condition::Or(any)
            }
            this => Condition::Or(vec![this, other]),
        }
    }

    /// A [`Condition::Predicate`] from a function.
    pub fn predicate(f: impl Fn(&ClientMessage) -> bool + Send + Sync + 'static) -> Condition {
        Condition::Predicate(Arc::new(f))
    }

    /// Evaluates the condition, updating the state of stateful conditions.
    pub(crate) fn eval(&mut self, msg: &ClientMessage, on: &ConnectionInfo) -> bool {
        match self {
            Condition::True => true,
            Condition::False => false,
            Condition::MessageType(t) => msg.message_type() == *t,
            Condition::IsEvent => msg.is_event(),
            Condition::IsBackupEvent => msg.is_backup_event(),
            Condition::FlagsContain(mask) => msg.initial_flags() & *mask == *mask,
            Condition::PartitionId(p) => msg.partition_id() == *p,
            Condition::ConnectionSeq(n) => on.member_seq == *n,
            Condition::GlobalConnectionSeq(n) => on.global_seq == *n,
            Condition::Member(i) => on.member == *i,
            Condition::Not(c) => !c.eval(msg, on),
            Condition::And(cs) => cs.iter_mut().all(|c| c.eval(msg, on)),
            Condition::Or(cs) => cs.iter_mut().any(|c| c.eval(msg, on)),
            Condition::Times(n) => {
                if *n > 0 {
                    *n -= 1;
                    true
                } else {
                    false
                }
            }
            Condition::Probability(p) => random_unit() < *p,
            Condition::Predicate(f) => f(msg),
        }
    }
}

/// Where a message travels: the member and the connection's sequence numbers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionInfo {
    /// Member index.
    pub(crate) member: usize,
    /// 0-based sequence number among this member's connections.
    pub(crate) member_seq: usize,
    /// 0-based sequence number among all connections of the proxy.
    pub(crate) global_seq: usize,
}

/// Builds the messages a [`Reaction::Forge`] sends back, from the matched message.
pub type ForgeFn = Arc<dyn Fn(&ClientMessage) -> Vec<ClientMessage> + Send + Sync>;
/// Rewrites a message for [`Reaction::Transform`].
pub type TransformFn = Arc<dyn Fn(ClientMessage) -> ClientMessage + Send + Sync>;

/// What happens to a message a [`Rule`] matched.
#[derive(Clone)]
#[non_exhaustive]
pub enum Reaction {
    /// Forward it unchanged (what happens to messages no rule matches).
    Pass,
    /// Discard it.
    Drop,
    /// Wait, then forward it. The direction it travels stalls meanwhile (head-of-line): later
    /// messages of the same connection and direction wait behind it and keep their order. The
    /// other direction keeps flowing.
    Delay(Duration),
    /// Discard it and send the returned messages to its **sender** instead (for a request rule:
    /// to the client, e.g. an error response with the request's correlation id; for a response
    /// rule: to the member). See [`forge_error_response`].
    Forge(ForgeFn),
    /// Forward the message the function returns instead.
    Transform(TransformFn),
    /// Discard it and close the connection on both sides at once.
    CutConnection,
    /// Discard it and close the connection on both sides after this delay; until then other
    /// messages keep flowing.
    CutConnectionAfter(Duration),
}

impl fmt::Debug for Reaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reaction::Pass => f.write_str("Pass"),
            Reaction::Drop => f.write_str("Drop"),
            Reaction::Delay(d) => write!(f, "Delay({d:?})"),
            Reaction::Forge(_) => f.write_str("Forge(..)"),
            Reaction::Transform(_) => f.write_str("Transform(..)"),
            Reaction::CutConnection => f.write_str("CutConnection"),
            Reaction::CutConnectionAfter(d) => write!(f, "CutConnectionAfter({d:?})"),
        }
    }
}

impl Reaction {
    /// A [`Reaction::Forge`] from a function.
    pub fn forge(f: impl Fn(&ClientMessage) -> Vec<ClientMessage> + Send + Sync + 'static) -> Reaction {
        Reaction::Forge(Arc::new(f))
    }

    /// A [`Reaction::Transform`] from a function.
    pub fn transform(f: impl Fn(ClientMessage) -> ClientMessage + Send + Sync + 'static) -> Reaction {
        Reaction::Transform(Arc::new(f))
    }
}

/// A [`Reaction::Forge`] that answers the matched request with an error response (message type
/// 0) carrying `code`, the Java exception class `class_name` and `message`, under the request's
/// correlation id. The request never reaches the member.
///
/// ```
/// use hazelcast_codec::ErrorCode;
/// use hazelcast_testkit::proxy::{Condition, Rule, forge_error_response};
///
/// let rule = Rule::new(
///     Condition::MessageType(0x010100), // Map.Put
///     forge_error_response(ErrorCode::MemberLeft, "com.hazelcast.core.MemberLeftException", "forged"),
/// );
/// # let _ = rule;
/// ```
pub fn forge_error_response(code: ErrorCode, class_name: &str, message: &str) -> Reaction {
    let class_name = class_name.to_owned();
    let message = message.to_owned();
    Reaction::forge(move |request| {
        vec![error_response(
            request.correlation_id(),
            code,
            &class_name,
            &message,
        )]
    })
}

/// An error response (message type 0) as a member sends it: one exception with `code`,
/// `class_name` and `message`, no stack trace.
pub fn error_response(
    correlation_id: i64,
    code: ErrorCode,
    class_name: &str,
    message: &str,
) -> ClientMessage {
    let holder = ErrorHolder::new(
        code.code(),
        class_name.to_owned(),
        Some(message.to_owned()),
        VarList(Vec::new()),
    );
    let mut w = MessageWriter::response(ERROR_MESSAGE_TYPE, correlation_id, 0);
    encode_var_list(&[holder], &mut w);
    w.finish()
}

/// A [`Condition`] with its [`Reaction`], and optionally channels that receive a copy of every
/// message the rule matched, so a test can wait for it: [`Rule::with_feedback`] as soon as the
/// message is matched, [`Rule::with_delivery_feedback`] once it is written to the receiving socket.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Which messages the rule applies to.
    pub condition: Condition,
    /// What happens to them.
    pub reaction: Reaction,
    /// Receives a copy of every matched message; a closed receiver is ignored.
    pub feedback: Option<UnboundedSender<ClientMessage>>,
    /// Receives a copy of every matched message the proxy forwarded, once it has been written to
    /// the receiving socket; a closed receiver is ignored.
    pub delivered: Option<UnboundedSender<ClientMessage>>,
}

impl Rule {
    /// A rule without feedback.
    pub fn new(condition: Condition, reaction: Reaction) -> Rule {
        Rule {
            condition,
            reaction,
            feedback: None,
            delivered: None,
        }
    }

    /// Sends a copy of every matched message to `feedback` when it is matched, before the
    /// reaction is applied.
    pub fn with_feedback(mut self, feedback: UnboundedSender<ClientMessage>) -> Rule {
        self.feedback = Some(feedback);
        self
    }

    /// Sends a copy of every matched message that the reaction forwards (pass, delay, transform)
    /// to `delivered` once the proxy has written it to the receiving socket, so that a test which
    /// then cuts the connection knows the peer has the message. Dropped, forged and cut messages
    /// are never reported here.
    pub fn with_delivery_feedback(mut self, delivered: UnboundedSender<ClientMessage>) -> Rule {
        self.delivered = Some(delivered);
        self
    }
}

/// A uniformly distributed number in `[0, 1)`; not cryptographic.
fn random_unit() -> f64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| RandomState::new().build_hasher().finish());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // splitmix64
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use hazelcast_codec::ErrorResponse;

    const ON: ConnectionInfo = ConnectionInfo {
        member: 1,
        member_seq: 2,
        global_seq: 5,
    };

    fn request(message_type: i32) -> ClientMessage {
        MessageWriter::request(message_type, 7, 64).finish()
    }

    #[test]
    fn conditions_evaluate_as_documented() {
        let get = request(0x010200);
        let mut c = Condition::MessageType(0x010200).and(Condition::Times(1));
        assert!(c.eval(&get, &ON));
        assert!(!c.eval(&get, &ON));
        let mut put_once = Condition::MessageType(0x010100).and(Condition::Times(1));
        assert!(
            !put_once.eval(&get, &ON),
            "Times is not consumed by other messages"
        );
        assert!(put_once.eval(&request(0x010100), &ON));
        assert!(Condition::PartitionId(7).eval(&get, &ON));
        assert!(Condition::Member(1).eval(&get, &ON));
        assert!(Condition::ConnectionSeq(2).eval(&get, &ON));
        assert!(Condition::GlobalConnectionSeq(5).eval(&get, &ON));
        assert!((!Condition::IsEvent).eval(&get, &ON));
        assert!(Condition::False.or(Condition::True).eval(&get, &ON));
        assert!(Condition::And(Vec::new()).eval(&get, &ON));
        assert!(!Condition::Or(Vec::new()).eval(&get, &ON));
        assert!(Condition::predicate(|m| m.correlation_id() == 0).eval(&get, &ON));
        assert!(!Condition::Probability(0.0).eval(&get, &ON));
        assert!(Condition::Probability(1.0).eval(&get, &ON));
        let hits = (0..10_000)
            .filter(|_| Condition::Probability(0.5).eval(&get, &ON))
            .count();
        assert!((4_000..6_000).contains(&hits), "{hits} hits of 10000");
    }

    #[test]
    fn forged_error_response_decodes() {
        let Reaction::Forge(f) = forge_error_response(ErrorCode::MemberLeft, "x.Y", "gone") else {
            panic!("not a forge reaction");
        };
        let mut req = request(0x010100);
        req.set_correlation_id(42);
        let out = f(&req);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].correlation_id(), 42);
        let err = ErrorResponse::decode(&out[0]).expect("an error response");
        assert_eq!(err.code(), ErrorCode::MemberLeft);
        assert_eq!(err.errors[0].class_name, "x.Y");
        assert_eq!(err.errors[0].message.as_deref(), Some("gone"));
    }
}

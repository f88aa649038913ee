//! Callback dispatch order (SEMANTICS-messaging §8.2, as the peer): the typed handler for the
//! message type, if registered, then the catch-all `on_message`, if registered. `OPAQUE` reaches
//! `on_message` only; a message no handler takes is still acknowledged.

use super::envelope::MessageType;

/// The message callbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageHandler {
    /// `on_chat_message` (CHAT)
    OnChatMessage,
    /// `on_control_message` (CONTROL)
    OnControlMessage,
    /// `on_tool_call` (TOOL_CALL)
    OnToolCall,
    /// `on_event` (EVENT)
    OnEvent,
    /// `on_metric` (METRIC)
    OnMetric,
    /// `on_message` (catch-all)
    OnMessage,
}

impl MessageHandler {
    /// Every handler.
    pub const ALL: &'static [MessageHandler] = &[
        MessageHandler::OnChatMessage,
        MessageHandler::OnControlMessage,
        MessageHandler::OnToolCall,
        MessageHandler::OnEvent,
        MessageHandler::OnMetric,
        MessageHandler::OnMessage,
    ];

    /// The callback name.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageHandler::OnChatMessage => "on_chat_message",
            MessageHandler::OnControlMessage => "on_control_message",
            MessageHandler::OnToolCall => "on_tool_call",
            MessageHandler::OnEvent => "on_event",
            MessageHandler::OnMetric => "on_metric",
            MessageHandler::OnMessage => "on_message",
        }
    }

    /// Parses the callback name.
    pub fn parse(s: &str) -> Option<MessageHandler> {
        MessageHandler::ALL
            .iter()
            .copied()
            .find(|h| h.as_str() == s)
    }

    /// The typed handler of a message type (`None` for OPAQUE).
    pub const fn typed_for(t: MessageType) -> Option<MessageHandler> {
        match t {
            MessageType::Chat => Some(MessageHandler::OnChatMessage),
            MessageType::Control => Some(MessageHandler::OnControlMessage),
            MessageType::ToolCall => Some(MessageHandler::OnToolCall),
            MessageType::Event => Some(MessageHandler::OnEvent),
            MessageType::Metric => Some(MessageHandler::OnMetric),
            MessageType::Opaque => None,
        }
    }
}

/// The handlers to call, in order, for a message of type `t` given the registered ones
/// (zero, one or two of them).
pub fn dispatch_order(registered: &[MessageHandler], t: MessageType) -> Vec<MessageHandler> {
    let mut out = Vec::with_capacity(2);
    if let Some(h) = MessageHandler::typed_for(t).filter(|h| registered.contains(h)) {
        out.push(h);
    }
    if registered.contains(&MessageHandler::OnMessage) {
        out.push(MessageHandler::OnMessage);
    }
    out
}

//! Declarative definitions of custom types and messages, invoked by the code that
//! `cargo xtask codegen` generates from the official protocol definitions (`src/generated/`).
//!
//! Each macro takes the fields of a protocol-definition entry, split by where they travel:
//! `fixed` fields are packed into the initial (or fixed) frame in order, `var` fields follow as
//! frames in order. `later_fixed` / `later_var` fields were added in a later protocol version
//! than their message (or custom type): they are `Option`s on decode, `None` when an older peer
//! did not send them, and unknown trailing fields of newer peers are skipped.

/// Declares a custom type of the Open Binary Client Protocol (BEGIN and END frames around its
/// fields): a struct with `Encode`/`Decode` implementations using BEGIN, a fixed frame when it
/// has fixed-size fields, the var fields, and END.
#[macro_export]
macro_rules! custom_type {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $wire:literal {
            fixed { $( $(#[$fm:meta])* $f:ident : $ft:ty ),* $(,)? }
            later_fixed { $( $(#[$lfm:meta])* $lf:ident : $lft:ty ),* $(,)? }
            var { $( $(#[$vm:meta])* $v:ident : $vt:ty ),* $(,)? }
            later_var { $( $(#[$lvm:meta])* $lv:ident : $lvt:ty ),* $(,)? }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$lfm])* pub $lf: Option<$lft>, )*
            $( $(#[$vm])* pub $v: $vt, )*
            $( $(#[$lvm])* pub $lv: Option<$lvt>, )*
        }

        impl $name {
            /// Creates the value from all of its fields (fixed-size ones first).
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new(
                $( $f: $ft, )* $( $lf: Option<$lft>, )* $( $v: $vt, )* $( $lv: Option<$lvt>, )*
            ) -> Self {
                $name { $( $f, )* $( $lf, )* $( $v, )* $( $lv, )* }
            }
        }

        impl $crate::types::Encode for $name {
            fn encode(&self, w: &mut $crate::message::MessageWriter) {
                w.begin();
                const HAS_FIXED: bool = false $( || { let _ = stringify!($f); true } )*
                    $( || { let _ = stringify!($lf); true } )*;
                if HAS_FIXED {
                    w.begin_fixed_frame();
                    $( $crate::types::FixedSize::put(&self.$f, w); )*
                }
                // A later field can only be written when all earlier ones were.
                let mut _more = true;
                $(
                    if _more {
                        match &self.$lf {
                            Some(v) => $crate::types::FixedSize::put(v, w),
                            None => _more = false,
                        }
                    }
                )*
                $( $crate::types::Encode::encode(&self.$v, w); )*
                $(
                    if _more {
                        match &self.$lv {
                            Some(v) => $crate::types::Encode::encode(v, w),
                            None => _more = false,
                        }
                    }
                )*
                w.end();
            }

            fn encoded_len(&self) -> usize {
                let h = $crate::frame::FRAME_HEADER_SIZE;
                const HAS_FIXED: bool = false $( || { let _ = stringify!($f); true } )*
                    $( || { let _ = stringify!($lf); true } )*;
                let fixed = 0 $( + <$ft as $crate::types::FixedSize>::SIZE )*;
                #[allow(unused_mut)]
                let mut n = 2 * h + if HAS_FIXED { h + fixed } else { 0 };
                let mut _more = true;
                $(
                    if _more {
                        match &self.$lf {
                            Some(_) => n += <$lft as $crate::types::FixedSize>::SIZE,
                            None => _more = false,
                        }
                    }
                )*
                $( n += $crate::types::Encode::encoded_len(&self.$v); )*
                $(
                    if _more {
                        match &self.$lv {
                            Some(v) => n += $crate::types::Encode::encoded_len(v),
                            None => _more = false,
                        }
                    }
                )*
                n
            }
        }

        impl $crate::types::Decode for $name {
            fn decode(r: &mut $crate::message::FrameReader) -> Result<Self, $crate::CodecError> {
                r.expect_begin($wire)?;
                const HAS_FIXED: bool = false $( || { let _ = stringify!($f); true } )*
                    $( || { let _ = stringify!($lf); true } )*;
                let fixed = if HAS_FIXED { r.expect_frame($wire)?.content } else { ::bytes::Bytes::new() };
                let _c: &[u8] = &fixed;
                let mut _off = 0usize;
                $(
                    let $f = <$ft as $crate::types::FixedSize>::read_at(
                        _c, _off, concat!($wire, ".", stringify!($f)),
                    )?;
                    _off += <$ft as $crate::types::FixedSize>::SIZE;
                )*
                $(
                    let $lf = <$lft as $crate::types::FixedSize>::read_later(_c, _off);
                    _off += <$lft as $crate::types::FixedSize>::SIZE;
                )*
                $( let $v = <$vt as $crate::types::Decode>::decode(r)?; )*
                $(
                    let $lv = if r.next_is_end() {
                        None
                    } else {
                        Some(<$lvt as $crate::types::Decode>::decode(r)?)
                    };
                )*
                r.fast_forward_to_end($wire)?;
                Ok($name { $( $f, )* $( $lf, )* $( $v, )* $( $lv, )* })
            }
        }

        impl $crate::types::WireName for $name {
            fn wire_name() -> String {
                $wire.into()
            }
        }
    };
}

/// Declares a request message: a struct borrowing its parameters, a struct owning them (what
/// [`Request::decode_request`](crate::messages::Request::decode_request) returns, for tests and
/// proxies), and the `Request` implementation (message type, `retryable` flag, partition rule,
/// encoder, decoder).
///
/// A request always carries every parameter; when decoding one, parameters of a later protocol
/// version than the message are `Option`s, `None` when an older client did not send them.
#[macro_export]
macro_rules! request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$lt:lifetime>)? {
            message_type = $mt:literal,
            retryable = $retryable:literal,
            partition = $part:expr,
            response = $resp:ty,
            params = $params:ident,
            protocol_name = $pname:literal,
            fixed { $( $(#[$fm:meta])* $f:ident : $ft:ty ),* $(,)? }
            later_fixed { $( $(#[$lfm:meta])* $lf:ident : $lft:ty ),* $(,)? }
            var { $( $(#[$vm:meta])* $v:ident : $vt:ty => $vo:ty ),* $(,)? }
            later_var { $( $(#[$lvm:meta])* $lv:ident : $lvt:ty => $lvo:ty ),* $(,)? }
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name $(<$lt>)? {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$lfm])* pub $lf: $lft, )*
            $( $(#[$vm])* pub $v: $vt, )*
            $( $(#[$lvm])* pub $lv: $lvt, )*
        }

        /// Shows the fixed-size parameters only: variable ones may hold user data or credentials.
        impl $(<$lt>)? ::std::fmt::Debug for $name $(<$lt>)? {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name))
                    $( .field(stringify!($f), &self.$f) )*
                    $( .field(stringify!($lf), &self.$lf) )*
                    .finish_non_exhaustive()
            }
        }

        #[doc = concat!("The parameters of a [`", stringify!($name), "`] as decoded, owned.")]
        #[derive(Debug)]
        #[non_exhaustive]
        pub struct $params {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$lfm])* pub $lf: Option<$lft>, )*
            $( $(#[$vm])* pub $v: $vo, )*
            $( $(#[$lvm])* pub $lv: Option<$lvo>, )*
        }

        impl $(<$lt>)? $crate::messages::Request for $name $(<$lt>)? {
            const MESSAGE_TYPE: i32 = $mt;
            const RETRYABLE: bool = $retryable;
            const PARTITION: $crate::messages::PartitionRule = $part;
            const NAME: &'static str = stringify!($name);
            const PROTOCOL_NAME: &'static str = $pname;
            type Response = $resp;
            type Decoded = $params;

            fn encoded_len(&self) -> usize {
                $crate::frame::FRAME_HEADER_SIZE
                    + $crate::message::REQUEST_HEADER_SIZE
                    $( + <$ft as $crate::types::FixedSize>::SIZE )*
                    $( + <$lft as $crate::types::FixedSize>::SIZE )*
                    $( + $crate::types::Encode::encoded_len(&self.$v) )*
                    $( + $crate::types::Encode::encoded_len(&self.$lv) )*
            }

            fn write_params(&self, _w: &mut $crate::message::MessageWriter) {
                $( $crate::types::FixedSize::put(&self.$f, _w); )*
                $( $crate::types::FixedSize::put(&self.$lf, _w); )*
                $( $crate::types::Encode::encode(&self.$v, _w); )*
                $( $crate::types::Encode::encode(&self.$lv, _w); )*
            }

            fn decode_request(msg: &$crate::message::ClientMessage) -> Result<$params, $crate::CodecError> {
                $crate::messages::check_type(msg, $mt)?;
                let mut _r = msg.reader();
                let initial = _r.next_frame()?;
                let _c: &[u8] = &initial.content;
                let mut _off = $crate::message::REQUEST_HEADER_SIZE;
                $(
                    let $f = <$ft as $crate::types::FixedSize>::read_at(_c, _off, stringify!($f))?;
                    _off += <$ft as $crate::types::FixedSize>::SIZE;
                )*
                $(
                    let $lf = <$lft as $crate::types::FixedSize>::read_later(_c, _off);
                    _off += <$lft as $crate::types::FixedSize>::SIZE;
                )*
                $( let $v = <$vo as $crate::types::Decode>::decode(&mut _r)?; )*
                $(
                    let $lv = if _r.has_next() {
                        Some(<$lvo as $crate::types::Decode>::decode(&mut _r)?)
                    } else {
                        None
                    };
                )*
                Ok($params { $( $f, )* $( $lf, )* $( $v, )* $( $lv, )* })
            }

            const WIRE_PARAMS: &'static [$crate::messages::WireParam] = &[
                $( (stringify!($f), $crate::types::fixed_wire_name::<$ft>), )*
                $( (stringify!($lf), $crate::types::fixed_wire_name::<$lft>), )*
                $( (stringify!($v), <$vo as $crate::types::WireName>::wire_name), )*
                $( (stringify!($lv), <$lvo as $crate::types::WireName>::wire_name), )*
            ];
        }
    };
}

/// Shared body of [`response!`] and [`event!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __reply_impl {
    (
        $name:ident, $mt:literal, $header:expr, $start:ident,
        [ $( $f:ident : $ft:ty ),* ],
        [ $( $lf:ident : $lft:ty ),* ],
        [ $( $v:ident : $vt:ty ),* ],
        [ $( $lv:ident : $lvt:ty ),* ]
    ) => {
        impl $name {
            /// The message type.
            pub const MESSAGE_TYPE: i32 = $mt;

            /// Creates the message from all of its fields (fixed-size ones first).
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new(
                $( $f: $ft, )* $( $lf: Option<$lft>, )* $( $v: $vt, )* $( $lv: Option<$lvt>, )*
            ) -> Self {
                $name { $( $f, )* $( $lf, )* $( $v, )* $( $lv, )* }
            }

            /// Decodes the message, tolerating fields and frames a newer peer appended.
            pub fn decode(msg: &$crate::message::ClientMessage) -> Result<Self, $crate::CodecError> {
                $crate::messages::check_type(msg, $mt)?;
                let mut _r = msg.reader();
                let initial = _r.next_frame()?;
                let _c: &[u8] = &initial.content;
                let mut _off = $header;
                $(
                    let $f = <$ft as $crate::types::FixedSize>::read_at(_c, _off, stringify!($f))?;
                    _off += <$ft as $crate::types::FixedSize>::SIZE;
                )*
                $(
                    let $lf = <$lft as $crate::types::FixedSize>::read_later(_c, _off);
                    _off += <$lft as $crate::types::FixedSize>::SIZE;
                )*
                $( let $v = <$vt as $crate::types::Decode>::decode(&mut _r)?; )*
                $(
                    let $lv = if _r.has_next() {
                        Some(<$lvt as $crate::types::Decode>::decode(&mut _r)?)
                    } else {
                        None
                    };
                )*
                Ok($name { $( $f, )* $( $lf, )* $( $v, )* $( $lv, )* })
            }

            /// Encodes the message (the member side; used by tests and the test kit's proxy).
            /// Fields of later versions are written up to the first `None`.
            pub fn encode(&self, correlation_id: i64) -> $crate::message::ClientMessage {
                #[allow(unused_mut)]
                let mut w = $crate::messages::$start($mt, correlation_id);
                $( $crate::types::FixedSize::put(&self.$f, &mut w); )*
                let mut _more = true;
                $(
                    if _more {
                        match &self.$lf {
                            Some(v) => $crate::types::FixedSize::put(v, &mut w),
                            None => _more = false,
                        }
                    }
                )*
                $( $crate::types::Encode::encode(&self.$v, &mut w); )*
                $(
                    if _more {
                        match &self.$lv {
                            Some(v) => $crate::types::Encode::encode(v, &mut w),
                            None => _more = false,
                        }
                    }
                )*
                w.finish()
            }

        }

        impl $crate::messages::Reply for $name {
            const MESSAGE_TYPE: i32 = $mt;
            const NAME: &'static str = stringify!($name);

            fn decode(msg: &$crate::message::ClientMessage) -> Result<Self, $crate::CodecError> {
                $name::decode(msg)
            }

            fn encode(&self, correlation_id: i64) -> $crate::message::ClientMessage {
                $name::encode(self, correlation_id)
            }

            const WIRE_PARAMS: &'static [$crate::messages::WireParam] = &[
                $( (stringify!($f), $crate::types::fixed_wire_name::<$ft>), )*
                $( (stringify!($lf), $crate::types::fixed_wire_name::<$lft>), )*
                $( (stringify!($v), <$vt as $crate::types::WireName>::wire_name), )*
                $( (stringify!($lv), <$lvt as $crate::types::WireName>::wire_name), )*
            ];
        }
    };
}

/// Declares a response message with its decoder (and an encoder for tests).
#[macro_export]
macro_rules! response {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $mt:literal {
            fixed { $( $(#[$fm:meta])* $f:ident : $ft:ty ),* $(,)? }
            later_fixed { $( $(#[$lfm:meta])* $lf:ident : $lft:ty ),* $(,)? }
            var { $( $(#[$vm:meta])* $v:ident : $vt:ty ),* $(,)? }
            later_var { $( $(#[$lvm:meta])* $lv:ident : $lvt:ty ),* $(,)? }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$lfm])* pub $lf: Option<$lft>, )*
            $( $(#[$vm])* pub $v: $vt, )*
            $( $(#[$lvm])* pub $lv: Option<$lvt>, )*
        }
        $crate::__reply_impl!($name, $mt, $crate::message::RESPONSE_HEADER_SIZE, response_writer,
            [ $( $f : $ft ),* ], [ $( $lf : $lft ),* ], [ $( $v : $vt ),* ], [ $( $lv : $lvt ),* ]);
    };
}

/// Declares an event message with its decoder (and an encoder for tests). Events carry the
/// `IS_EVENT` flag and a partition id in their initial frame.
#[macro_export]
macro_rules! event {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $mt:literal {
            fixed { $( $(#[$fm:meta])* $f:ident : $ft:ty ),* $(,)? }
            later_fixed { $( $(#[$lfm:meta])* $lf:ident : $lft:ty ),* $(,)? }
            var { $( $(#[$vm:meta])* $v:ident : $vt:ty ),* $(,)? }
            later_var { $( $(#[$lvm:meta])* $lv:ident : $lvt:ty ),* $(,)? }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$lfm])* pub $lf: Option<$lft>, )*
            $( $(#[$vm])* pub $v: $vt, )*
            $( $(#[$lvm])* pub $lv: Option<$lvt>, )*
        }
        $crate::__reply_impl!($name, $mt, $crate::message::REQUEST_HEADER_SIZE, event_writer,
            [ $( $f : $ft ),* ], [ $( $lf : $lft ),* ], [ $( $v : $vt ),* ], [ $( $lv : $lvt ),* ]);
    };
}

/// Declares the enum of the events a listener registration delivers, with a decoder that picks
/// the event by message type (an unknown type, from a newer member, is kept as `Unknown`, as the
/// protocol requires).
#[macro_export]
macro_rules! listener_events {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vm:meta])* $variant:ident ( $ev:ty ), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vm])* $variant($ev), )+
            /// An event type this client does not know (ignored, as the protocol requires).
            Unknown(i32),
        }

        impl $name {
            /// Decodes any event of this listener.
            pub fn decode(msg: &$crate::message::ClientMessage) -> Result<Self, $crate::CodecError> {
                let t = msg.message_type();
                $(
                    if t == <$ev>::MESSAGE_TYPE {
                        return Ok($name::$variant(<$ev>::decode(msg)?));
                    }
                )+
                Ok($name::Unknown(t))
            }
        }
    };
}

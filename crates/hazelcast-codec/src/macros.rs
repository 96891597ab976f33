//! Declarative definitions of custom types and messages.
//!
//! Each macro takes the fields of a protocol-definition entry, split by where they travel:
//! `fixed` fields are packed into the initial (or fixed) frame in order, `var` fields follow as
//! frames in order. `later_fixed` / `later_var` fields were added in a later protocol version:
//! they are `Option`s on decode, `None` when an older peer did not send them, and unknown trailing
//! fields of newer peers are skipped. Adding a message is a few lines: see `messages/map.rs`.

/// Declares a custom type of the Open Binary Client Protocol (BEGIN and END frames around its fields): a struct with `Encode`/`Decode`
/// implementations using BEGIN, an optional fixed frame, the var fields, and END.
#[macro_export]
macro_rules! custom_type {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $wire:literal {
            fixed { $( $(#[$fm:meta])* $f:ident : $ft:ty ),* $(,)? }
            var { $( $(#[$vm:meta])* $v:ident : $vt:ty ),* $(,)? }
            later_var { $( $(#[$lvm:meta])* $lv:ident : $lvt:ty ),* $(,)? }
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$vm])* pub $v: $vt, )*
            $( $(#[$lvm])* pub $lv: Option<$lvt>, )*
        }

        impl $name {
            /// Creates the value from all of its fields.
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new($( $f: $ft, )* $( $v: $vt, )* $( $lv: Option<$lvt>, )*) -> Self {
                $name { $( $f, )* $( $v, )* $( $lv, )* }
            }
        }

        impl $crate::types::Encode for $name {
            fn encode(&self, w: &mut $crate::message::MessageWriter) {
                w.begin();
                let has_fixed = false $( || { let _ = stringify!($f); true } )*;
                if has_fixed {
                    w.begin_fixed_frame();
                    $( $crate::types::FixedSize::put(&self.$f, w); )*
                }
                $( $crate::types::Encode::encode(&self.$v, w); )*
                // A later field can only be written when all earlier ones were.
                let mut _more = true;
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
                let fixed = 0 $( + <$ft as $crate::types::FixedSize>::SIZE )*;
                let has_fixed = false $( || { let _ = stringify!($f); true } )*;
                #[allow(unused_mut)]
                let mut n = 2 * h + if has_fixed { h + fixed } else { 0 };
                $( n += $crate::types::Encode::encoded_len(&self.$v); )*
                let mut _more = true;
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
                let has_fixed = false $( || { let _ = stringify!($f); true } )*;
                let fixed = if has_fixed { r.expect_frame($wire)?.content } else { ::bytes::Bytes::new() };
                let _c: &[u8] = &fixed;
                let mut _off = 0usize;
                $(
                    let $f = <$ft as $crate::types::FixedSize>::read_at(_c, _off, concat!($wire, ".", stringify!($f)))?;
                    _off += <$ft as $crate::types::FixedSize>::SIZE;
                )*
                $( let $v = <$vt as $crate::types::Decode>::decode(r)?; )*
                $(
                    let $lv = if r.next_is_end() { None } else { Some(<$lvt as $crate::types::Decode>::decode(r)?) };
                )*
                r.fast_forward_to_end($wire)?;
                Ok($name { $( $f, )* $( $v, )* $( $lv, )* })
            }
        }

        impl $crate::types::WireName for $name {
            fn wire_name() -> String {
                $wire.into()
            }
        }
    };
}

/// Declares a request message: a struct borrowing its parameters, its `Request` implementation
/// (message type, `retryable` flag, partition rule, encoder) and a decoder into owned values for
/// tests and proxies.
#[macro_export]
macro_rules! request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$lt:lifetime>)? {
            message_type = $mt:literal,
            retryable = $retryable:literal,
            partition = $part:ident,
            response = $resp:ty,
            fixed { $( $(#[$fm:meta])* $f:ident : $ft:ty ),* $(,)? }
            var { $( $(#[$vm:meta])* $v:ident : $vt:ty ),* $(,)? }
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name $(<$lt>)? {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$vm])* pub $v: $vt, )*
        }

        /// Shows the fixed parameters only: variable ones may hold user data or credentials.
        impl $(<$lt>)? ::std::fmt::Debug for $name $(<$lt>)? {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name))
                    $( .field(stringify!($f), &self.$f) )*
                    .finish_non_exhaustive()
            }
        }

        impl $(<$lt>)? $crate::messages::Request for $name $(<$lt>)? {
            const MESSAGE_TYPE: i32 = $mt;
            const RETRYABLE: bool = $retryable;
            const PARTITION: $crate::messages::PartitionRule = $crate::messages::PartitionRule::$part;
            const NAME: &'static str = stringify!($name);
            type Response = $resp;
            type Decoded = ($( $ft, )* $( <$vt as $crate::messages::OwnedForm>::Owned, )*);

            fn encoded_len(&self) -> usize {
                $crate::frame::FRAME_HEADER_SIZE
                    + $crate::message::REQUEST_HEADER_SIZE
                    $( + <$ft as $crate::types::FixedSize>::SIZE )*
                    $( + $crate::types::Encode::encoded_len(&self.$v) )*
            }

            fn write_params(&self, _w: &mut $crate::message::MessageWriter) {
                $( $crate::types::FixedSize::put(&self.$f, _w); )*
                $( $crate::types::Encode::encode(&self.$v, _w); )*
            }

            fn decode_request(msg: &$crate::message::ClientMessage) -> Result<Self::Decoded, $crate::CodecError> {
                $crate::messages::check_type(msg, $mt)?;
                let mut r = msg.reader();
                let initial = r.next_frame()?;
                let _c: &[u8] = &initial.content;
                let mut _off = $crate::message::REQUEST_HEADER_SIZE;
                $(
                    let $f = <$ft as $crate::types::FixedSize>::read_at(_c, _off, stringify!($f))?;
                    _off += <$ft as $crate::types::FixedSize>::SIZE;
                )*
                $( let $v = <<$vt as $crate::messages::OwnedForm>::Owned as $crate::types::Decode>::decode(&mut r)?; )*
                Ok(($( $f, )* $( $v, )*))
            }

            fn wire_params() -> Vec<(&'static str, String)> {
                vec![
                    $( (stringify!($f), <$ft as $crate::types::FixedSize>::WIRE_NAME.to_string()), )*
                    $( (stringify!($v), <$vt as $crate::types::WireName>::wire_name()), )*
                ]
            }
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

            /// Decodes the message, tolerating fields and frames a newer peer appended.
            pub fn decode(msg: &$crate::message::ClientMessage) -> Result<Self, $crate::CodecError> {
                $crate::messages::check_type(msg, $mt)?;
                let mut r = msg.reader();
                let initial = r.next_frame()?;
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
                $( let $v = <$vt as $crate::types::Decode>::decode(&mut r)?; )*
                $(
                    let $lv = if r.has_next() { Some(<$lvt as $crate::types::Decode>::decode(&mut r)?) } else { None };
                )*
                Ok($name { $( $f, )* $( $lf, )* $( $v, )* $( $lv, )* })
            }

            /// Encodes the message (the member side; used by tests and the test kit's proxy).
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

            /// The parameters in wire order with their protocol type names.
            pub fn wire_params() -> Vec<(&'static str, String)> {
                vec![
                    $( (stringify!($f), <$ft as $crate::types::FixedSize>::WIRE_NAME.to_string()), )*
                    $( (stringify!($lf), <$lft as $crate::types::FixedSize>::WIRE_NAME.to_string()), )*
                    $( (stringify!($v), <$vt as $crate::types::WireName>::wire_name()), )*
                    $( (stringify!($lv), <$lvt as $crate::types::WireName>::wire_name()), )*
                ]
            }
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
        impl $name {
            /// Creates the message from all of its fields.
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new($( $f: $ft, )* $( $lf: Option<$lft>, )* $( $v: $vt, )* $( $lv: Option<$lvt>, )*) -> Self {
                $name { $( $f, )* $( $lf, )* $( $v, )* $( $lv, )* }
            }
        }
        $crate::__reply_impl!($name, $mt, $crate::message::RESPONSE_HEADER_SIZE, response_writer,
            [ $( $f : $ft ),* ], [ $( $lf : $lft ),* ], [ $( $v : $vt ),* ], [ $( $lv : $lvt ),* ]);
    };
}

/// Declares an event message with its decoder (and an encoder for tests).
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
        impl $name {
            /// Creates the event from all of its fields.
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new($( $f: $ft, )* $( $lf: Option<$lft>, )* $( $v: $vt, )* $( $lv: Option<$lvt>, )*) -> Self {
                $name { $( $f, )* $( $lf, )* $( $v, )* $( $lv, )* }
            }
        }
        $crate::__reply_impl!($name, $mt, $crate::message::REQUEST_HEADER_SIZE, event_writer,
            [ $( $f : $ft ),* ], [ $( $lf : $lft ),* ], [ $( $v : $vt ),* ], [ $( $lv : $lvt ),* ]);
    };
}

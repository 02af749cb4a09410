//! YAML as a span tree: parsing (`parse`), the tree (`node`), and conversion to JSON (`json`).

mod json;
mod node;
mod parse;

pub use json::{ToJsonError, to_json};
pub use node::{Entries, Items, Kind, Node, Scalar, Span, Style, Typed};
pub use parse::{
    Document, MAX_DEPTH, ParseError, TooManyDocuments, count_errors_limited, is_document_marker, parse_stream,
    parse_stream_limited, split_documents,
};

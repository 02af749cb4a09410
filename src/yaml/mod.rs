//! YAML as a span tree: parsing (`parse`), the tree (`node`) and views of its children
//! (`views`), and conversion to JSON (`json`).

mod json;
mod node;
mod parse;
mod views;

pub use json::{ToJsonError, to_json};
pub use node::{Kind, Node, Scalar, Span, Style, Typed};
pub use parse::{
    Document, MAX_DEPTH, ParseError, TooManyDocuments, count_errors_limited, is_document_marker, parse_stream,
    parse_stream_limited, split_documents,
};
pub use views::{Entries, Items};

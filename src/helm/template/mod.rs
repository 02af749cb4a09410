//! Go `text/template`: lexer, parser and executor.

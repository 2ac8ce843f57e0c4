//! The filter text syntax: `source = 'web' and total_spend > 100 and last_purchase < '2026-01-01'`.
//!
//! A hand-written recursive-descent parser producing the one [`Filter`] AST; errors are
//! [`Error::Parse`] with the character position. The grammar is in `docs/filters.md`.

use super::filter::{CmpOp, Filter, Value};
use crate::error::{Error, Result};

/// Longest filter text accepted, in bytes.
pub const MAX_FILTER_TEXT: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Real(f64),
    Op(CmpOp),
    LParen,
    RParen,
    Comma,
    End,
}

struct Lexer<'a> {
    chars: Vec<(usize, char)>,
    i: usize,
    text: &'a str,
}

fn parse_error(position: usize, message: impl Into<String>) -> Error {
    Error::Parse {
        position,
        message: message.into(),
    }
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            chars: text.char_indices().collect(),
            i: 0,
            text,
        }
    }

    /// Character position (not byte offset) of the next character.
    fn pos(&self) -> usize {
        self.i
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).map(|(_, c)| *c)
    }

    /// The next token and the character position where it starts.
    fn next(&mut self) -> Result<(Tok, usize)> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
        let start = self.pos();
        let Some(c) = self.peek() else {
            return Ok((Tok::End, start));
        };
        self.i += 1;
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            ',' => Tok::Comma,
            '=' => {
                if self.peek() == Some('=') {
                    self.i += 1;
                }
                Tok::Op(CmpOp::Eq)
            }
            '!' if self.peek() == Some('=') => {
                self.i += 1;
                Tok::Op(CmpOp::Ne)
            }
            '<' => match self.peek() {
                Some('=') => {
                    self.i += 1;
                    Tok::Op(CmpOp::Le)
                }
                Some('>') => {
                    self.i += 1;
                    Tok::Op(CmpOp::Ne)
                }
                _ => Tok::Op(CmpOp::Lt),
            },
            '>' => {
                if self.peek() == Some('=') {
                    self.i += 1;
                    Tok::Op(CmpOp::Ge)
                } else {
                    Tok::Op(CmpOp::Gt)
                }
            }
            '\'' | '"' => Tok::Str(self.string(c, start)?),
            c if c.is_ascii_digit()
                || (c == '-' && self.peek().is_some_and(|d| d.is_ascii_digit())) =>
            {
                self.number(start)?
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut s = String::from(c);
                while let Some(d) = self.peek().filter(|d| d.is_alphanumeric() || *d == '_') {
                    s.push(d);
                    self.i += 1;
                }
                Tok::Ident(s)
            }
            other => {
                return Err(parse_error(
                    start,
                    format!("unexpected character {other:?}"),
                ));
            }
        };
        Ok((tok, start))
    }

    /// A quoted string; the quote character is escaped by doubling it (`'O''Brien'`).
    fn string(&mut self, quote: char, start: usize) -> Result<String> {
        let mut s = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(parse_error(
                        start,
                        "unterminated string (close it with the same quote)",
                    ));
                }
                Some(c) if c == quote => {
                    self.i += 1;
                    if self.peek() == Some(quote) {
                        self.i += 1;
                        s.push(quote);
                    } else {
                        return Ok(s);
                    }
                }
                Some(c) => {
                    self.i += 1;
                    s.push(c);
                }
            }
        }
    }

    fn number(&mut self, start: usize) -> Result<Tok> {
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '_')
        {
            self.i += 1;
        }
        let from = self.chars[start].0;
        let to = self.chars.get(self.i).map_or(self.text.len(), |(b, _)| *b);
        let raw: String = self.text[from..to].chars().filter(|c| *c != '_').collect();
        if raw.contains('.') {
            raw.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Tok::Real)
                .ok_or_else(|| parse_error(start, format!("{raw:?} is not a number")))
        } else {
            raw.parse::<i64>()
                .map(Tok::Int)
                .map_err(|_| parse_error(start, format!("{raw:?} is not a 64-bit integer")))
        }
    }
}

struct Parser<'a> {
    lex: Lexer<'a>,
    tok: Tok,
    at: usize,
    depth: usize,
}

fn is_kw(tok: &Tok, kw: &str) -> bool {
    matches!(tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "between", "is", "null", "contains", "starts", "with", "true",
    "false",
];

impl<'a> Parser<'a> {
    fn bump(&mut self) -> Result<()> {
        let (tok, at) = self.lex.next()?;
        self.tok = tok;
        self.at = at;
        Ok(())
    }

    fn expect_kw(&mut self, kw: &str) -> Result<()> {
        if is_kw(&self.tok, kw) {
            self.bump()
        } else {
            Err(self.unexpected(&format!("'{kw}'")))
        }
    }

    fn unexpected(&self, wanted: &str) -> Error {
        let found = match &self.tok {
            Tok::End => "the end of the filter".to_owned(),
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Str(s) => format!("the string '{s}'"),
            Tok::Int(i) => format!("the number {i}"),
            Tok::Real(x) => format!("the number {x}"),
            Tok::Op(op) => format!("'{}'", op.symbol()),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Comma => "','".into(),
        };
        parse_error(self.at, format!("expected {wanted}, found {found}"))
    }

    fn or_expr(&mut self) -> Result<Filter> {
        let mut parts = vec![self.and_expr()?];
        while is_kw(&self.tok, "or") {
            self.bump()?;
            parts.push(self.and_expr()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::Or(parts)
        })
    }

    fn and_expr(&mut self) -> Result<Filter> {
        let mut parts = vec![self.not_expr()?];
        while is_kw(&self.tok, "and") {
            self.bump()?;
            parts.push(self.not_expr()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    fn not_expr(&mut self) -> Result<Filter> {
        if is_kw(&self.tok, "not") {
            let at = self.at;
            self.enter(at)?;
            self.bump()?;
            let inner = self.not_expr()?;
            self.depth -= 1;
            return Ok(Filter::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn enter(&mut self, at: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > Filter::MAX_DEPTH {
            return Err(parse_error(
                at,
                format!("nested more than {} levels deep", Filter::MAX_DEPTH),
            ));
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<Filter> {
        match self.tok.clone() {
            Tok::LParen => {
                let at = self.at;
                self.enter(at)?;
                self.bump()?;
                let f = self.or_expr()?;
                if self.tok != Tok::RParen {
                    return Err(self.unexpected("')'"));
                }
                self.bump()?;
                self.depth -= 1;
                Ok(f)
            }
            Tok::Ident(name) if !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(&name)) => {
                let at = self.at;
                self.bump()?;
                if self.tok == Tok::LParen {
                    return self.call(name, at);
                }
                self.predicate(name)
            }
            _ => Err(self.unexpected("a field name or '('")),
        }
    }

    /// A predicate function: `in_campaign('name')`, `in_campaign('name', 'A')`,
    /// `campaign_variant('name') = 'A'`, `responded('name')`, `responded()`.
    fn call(&mut self, name: String, at: usize) -> Result<Filter> {
        self.bump()?; // (
        let mut args = Vec::new();
        if self.tok != Tok::RParen {
            args.push(self.string()?);
            while self.tok == Tok::Comma {
                self.bump()?;
                args.push(self.string()?);
            }
        }
        if self.tok != Tok::RParen {
            return Err(self.unexpected("',' or ')'"));
        }
        self.bump()?;
        let arity = |n: &str| {
            parse_error(
                at,
                format!("{name}() takes {n}, got {} argument(s)", args.len()),
            )
        };
        match name.as_str() {
            "in_campaign" => match args.as_slice() {
                [c] => Ok(Filter::in_campaign(c.clone())),
                [c, v] => Ok(Filter::campaign_variant(c.clone(), v.clone())),
                _ => Err(arity("a campaign name and optionally a variant")),
            },
            "responded" => match args.as_slice() {
                [] => Ok(Filter::responded(None)),
                [c] => Ok(Filter::responded(Some(c))),
                _ => Err(arity("at most a campaign name")),
            },
            "campaign_variant" => {
                let [c] = args.as_slice() else {
                    return Err(arity("a campaign name"));
                };
                if self.tok != Tok::Op(CmpOp::Eq) {
                    return Err(self.unexpected("'=' and a variant name"));
                }
                self.bump()?;
                Ok(Filter::campaign_variant(c.clone(), self.string()?))
            }
            _ => Err(parse_error(
                at,
                format!(
                    "unknown function {name}() (known: in_campaign, campaign_variant, responded)"
                ),
            )),
        }
    }

    fn predicate(&mut self, field: String) -> Result<Filter> {
        let tags = field == "tags";
        match self.tok.clone() {
            Tok::Op(op) => {
                self.bump()?;
                let value = self.value()?;
                if tags {
                    return match (op, value) {
                        (CmpOp::Eq, Value::Text(t)) => Ok(Filter::has_tag(t)),
                        _ => Err(parse_error(self.at, "tags take `contains 'tag'` or `= 'tag'`")),
                    };
                }
                Ok(Filter::compare(field, op, value))
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("not") || w.eq_ignore_ascii_case("in") => {
                let negated = w.eq_ignore_ascii_case("not");
                if negated {
                    self.bump()?;
                }
                self.expect_kw("in")?;
                if self.tok != Tok::LParen {
                    return Err(self.unexpected("'(' after in"));
                }
                self.bump()?;
                let mut values = vec![self.value()?];
                while self.tok == Tok::Comma {
                    self.bump()?;
                    values.push(self.value()?);
                }
                if self.tok != Tok::RParen {
                    return Err(self.unexpected("',' or ')'"));
                }
                self.bump()?;
                Ok(Filter::In { field, values, negated })
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("between") => {
                self.bump()?;
                let low = self.value()?;
                self.expect_kw("and")?;
                let high = self.value()?;
                Ok(Filter::Between { field, low, high })
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("is") => {
                self.bump()?;
                let negated = is_kw(&self.tok, "not");
                if negated {
                    self.bump()?;
                }
                self.expect_kw("null")?;
                Ok(Filter::IsNull { field, negated })
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("contains") => {
                self.bump()?;
                let text = self.string()?;
                Ok(if tags { Filter::has_tag(text) } else { Filter::contains(field, text) })
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("starts") => {
                self.bump()?;
                self.expect_kw("with")?;
                Ok(Filter::starts_with(field, self.string()?))
            }
            _ => Err(self.unexpected(&format!(
                "an operator after '{field}' (=, !=, <, <=, >, >=, in, not in, between, is null, contains, starts with)"
            ))),
        }
    }

    fn string(&mut self) -> Result<String> {
        match self.tok.clone() {
            Tok::Str(s) => {
                self.bump()?;
                Ok(s)
            }
            _ => Err(self.unexpected("a quoted string")),
        }
    }

    fn value(&mut self) -> Result<Value> {
        let v = match self.tok.clone() {
            Tok::Str(s) => Value::Text(s),
            Tok::Int(i) => Value::Int(i),
            Tok::Real(x) => Value::Real(x),
            Tok::Ident(w) if w.eq_ignore_ascii_case("true") => Value::Bool(true),
            Tok::Ident(w) if w.eq_ignore_ascii_case("false") => Value::Bool(false),
            Tok::Ident(w) if w.eq_ignore_ascii_case("null") => Value::Null,
            _ => {
                return Err(
                    self.unexpected("a value (a quoted string, a number, true, false or null)")
                );
            }
        };
        self.bump()?;
        Ok(v)
    }
}

impl Filter {
    /// Parses the filter text syntax (grammar in `docs/filters.md`):
    ///
    /// ```
    /// use crm_core::Filter;
    /// let f = Filter::parse("source = 'web' and (stage in ('lead', 'prospect') or tags contains 'vip')").unwrap();
    /// assert_eq!(f, Filter::eq("source", "web").and(
    ///     Filter::in_list("stage", ["lead", "prospect"]).or(Filter::has_tag("vip"))));
    /// let e = Filter::parse("source = ").unwrap_err();
    /// assert!(e.to_string().contains("position 9"));
    /// ```
    ///
    /// Syntax errors are `PARSE` with the character position; field names and value types are
    /// checked when the filter is used, against the entity's fields.
    pub fn parse(text: &str) -> Result<Filter> {
        if text.len() > MAX_FILTER_TEXT {
            return Err(parse_error(
                0,
                format!("filter text is longer than {MAX_FILTER_TEXT} bytes"),
            ));
        }
        if text.trim().is_empty() {
            return Ok(Filter::All);
        }
        let mut p = Parser {
            lex: Lexer::new(text),
            tok: Tok::End,
            at: 0,
            depth: 0,
        };
        p.bump()?;
        let f = p.or_expr()?;
        if p.tok != Tok::End {
            return Err(p.unexpected("'and', 'or' or the end of the filter"));
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_at(text: &str) -> (usize, String) {
        match Filter::parse(text).unwrap_err() {
            Error::Parse { position, message } => (position, message),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn parses_every_form() {
        let f = Filter::parse(
            "NOT name starts with 'Dr' AND company contains 'acme' OR email IS NOT NULL AND version between 1 and 3 \
             and total_spend >= 100.5 and stage not in ('churned') and tags = 'vip' and phone is null and x <> -2",
        )
        .unwrap();
        let expected = Filter::Or(vec![
            Filter::And(vec![
                Filter::starts_with("name", "Dr").not(),
                Filter::contains("company", "acme"),
            ]),
            Filter::And(vec![
                Filter::is_not_null("email"),
                Filter::between("version", 1, 3),
                Filter::ge("total_spend", 100.5),
                Filter::not_in("stage", ["churned"]),
                Filter::has_tag("vip"),
                Filter::is_null("phone"),
                Filter::ne("x", -2),
            ]),
        ]);
        assert_eq!(f, expected);
        assert_eq!(Filter::parse("  ").unwrap(), Filter::All);
        assert_eq!(
            Filter::parse("name = 'O''Brien'").unwrap(),
            Filter::eq("name", "O'Brien")
        );
        assert_eq!(
            Filter::parse("name = \"say \"\"hi\"\"\"").unwrap(),
            Filter::eq("name", "say \"hi\"")
        );
        assert_eq!(
            Filter::parse("name == '名字'").unwrap(),
            Filter::eq("name", "名字")
        );
        assert_eq!(
            Filter::parse("amount > 1_000").unwrap(),
            Filter::gt("amount", 1000)
        );
        assert_eq!(
            Filter::parse("active = true").unwrap(),
            Filter::eq("active", true)
        );
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(err_at("source = ").0, 9);
        assert_eq!(err_at("source = 'web").0, 9);
        assert_eq!(err_at("source = 'web' and").0, 18);
        assert_eq!(err_at("(source = 'web'").0, 15);
        assert_eq!(err_at("source 'web'").0, 7);
        assert_eq!(err_at("source = 'web' stage = 'lead'").0, 15);
        assert_eq!(
            err_at("名字 = 1 and ; drop").0,
            11,
            "positions count characters, not bytes"
        );
        assert!(err_at("stage in ('a' 'b')").1.contains("',' or ')'"));
        assert!(err_at("a = 99999999999999999999").1.contains("64-bit"));
        assert!(err_at(&"(".repeat(100)).1.contains("nested"));
        assert!(
            err_at(&"x".repeat(MAX_FILTER_TEXT + 1))
                .1
                .contains("longer")
        );
    }
}

//! The limiter binding's arguments as JS passes them: spec arrays, limiter ids, key and lease
//! handles as numbers, and the errors for bad ones.

use napi::{Error, Result, Status};
use tollgate_core::limiter::{registry, Limiter, LimiterSpec, Measure, Rule};

/// Numbers per rule in the spec array: kind (0 window, 1 bucket, 2 in flight), measure
/// (0 requests, 1 tokens), then limit and period in ms, capacity and refill per second, or max.
const RULE_FIELDS: usize = 4;

/// The caller's output array, borrowed for the call (no copy, no reference kept).
pub(crate) type Out<'a> = &'a mut [f64];

pub(crate) fn invalid(message: String) -> Error {
    Error::new(
        Status::InvalidArg,
        format!("ERR_INVALID_ARGUMENT: {message}"),
    )
}

/// A key or lease handle as JS passed it: a whole number in `0..=2^53`, else one that names no
/// key or lease (a forged or corrupted number is then stale, never another key's handle).
pub(crate) fn handle(value: f64) -> u64 {
    if value >= 0.0 && value <= 9_007_199_254_740_992.0 && value.fract() == 0.0 {
        value as u64
    } else {
        u64::MAX
    }
}

pub(crate) fn limiter(id: u32) -> Result<&'static Limiter> {
    registry::get(id).ok_or_else(|| invalid(format!("no limiter has id {id}")))
}

pub(crate) fn decode_spec(encoded: &[f64]) -> Result<LimiterSpec> {
    let Some((&lease_timeout_ms, rules)) = encoded.split_first() else {
        return Err(invalid("the limiter spec is empty".into()));
    };
    if rules.len() % RULE_FIELDS != 0 {
        return Err(invalid(format!(
            "the limiter spec has {} rule fields",
            rules.len()
        )));
    }
    let measure = |code: f64| {
        if code == 1.0 {
            Measure::Tokens
        } else {
            Measure::Requests
        }
    };
    let rules = rules
        .chunks_exact(RULE_FIELDS)
        .map(|fields| match fields[0] as u32 {
            0 => Ok(Rule::Window {
                measure: measure(fields[1]),
                limit: fields[2] as u32,
                period_ms: fields[3],
            }),
            1 => Ok(Rule::Bucket {
                measure: measure(fields[1]),
                capacity: fields[2],
                refill_per_ms: fields[3] / 1000.0,
            }),
            2 => Ok(Rule::InFlight {
                max: fields[2] as u32,
            }),
            kind => Err(invalid(format!("unknown rule kind {kind}"))),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(LimiterSpec {
        rules,
        lease_timeout_ms,
    })
}

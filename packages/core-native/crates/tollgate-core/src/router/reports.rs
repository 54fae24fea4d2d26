//! What a deployment tells other processes about its own usage (this process's calls, every
//! worker thread's): absolute totals of the current minute and of the minute before, numbered.
//! Reports carry totals, not increments, so one sent twice (a retry after a timeout whose script
//! did run) or after Redis lost its data counts the same; the number lets Redis keep the newest
//! report when two threads' reports cross.

/// Values of a report: its number, then requests and tokens of the minute asked for, then
/// requests and tokens of the minute before.
pub const REPORT_FIELDS: usize = 5;

/// The report counter of a deployment, and its usage totals of the last minute that ended.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reports {
    sequence: f64,
    ended_minute: f64,
    ended_requests: f64,
    ended_tokens: f64,
}

impl Reports {
    pub(crate) fn new() -> Self {
        Reports {
            sequence: 0.0,
            ended_minute: -1.0,
            ended_requests: 0.0,
            ended_tokens: 0.0,
        }
    }

    /// Keeps the final totals of `minute` when the usage counts move on to a later one.
    pub(crate) fn end_minute(&mut self, minute: f64, requests: f64, tokens: f64) {
        self.ended_minute = minute;
        self.ended_requests = requests;
        self.ended_tokens = tokens;
    }

    /// A new report for `minute`, given the usage counts `(counted minute, requests, tokens)`.
    pub(crate) fn take(&mut self, minute: f64, usage: (f64, f64, f64)) -> [f64; REPORT_FIELDS] {
        let (counted, requests, tokens) = usage;
        let totals_of = |wanted: f64| {
            if counted == wanted {
                (requests, tokens)
            } else if self.ended_minute == wanted {
                (self.ended_requests, self.ended_tokens)
            } else {
                (0.0, 0.0)
            }
        };
        let now = totals_of(minute);
        let before = totals_of(minute - 1.0);
        self.sequence += 1.0;
        [self.sequence, now.0, now.1, before.0, before.1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_carry_totals_of_this_minute_and_the_one_before() {
        let mut reports = Reports::new();
        assert_eq!(reports.take(5.0, (5.0, 3.0, 300.0)), [1.0, 3.0, 300.0, 0.0, 0.0]);
        // No call yet in minute 6: minute 5's counts are the minute before.
        assert_eq!(reports.take(6.0, (5.0, 4.0, 250.0)), [2.0, 0.0, 0.0, 4.0, 250.0]);
        reports.end_minute(5.0, 4.0, 250.0);
        assert_eq!(reports.take(6.0, (6.0, 1.0, 10.0)), [3.0, 1.0, 10.0, 4.0, 250.0]);
        assert_eq!(reports.take(8.0, (6.0, 1.0, 10.0)), [4.0, 0.0, 0.0, 0.0, 0.0]);
    }
}

//! What a deployment's own usage (this process's calls) has already been reported to other
//! processes through Redis. It lives with the deployment, shared by every worker thread of the
//! process, so any thread may report and no call is reported twice: a report takes what is new
//! since the last one, under the group's lock.

/// Own usage of one minute reported so far.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reported {
    minute: f64,
    requests: f64,
    tokens: f64,
}

/// Values of a report: what is new since the last report, then all reported of the minute.
pub const REPORT_FIELDS: usize = 4;

impl Reported {
    pub(crate) fn new() -> Self {
        Reported {
            minute: -1.0,
            requests: 0.0,
            tokens: 0.0,
        }
    }

    /// Marks `own` (the deployment's own requests and tokens in `minute`) reported; returns
    /// `[new requests, new tokens, reported requests, reported tokens]`. Tokens may be new in the
    /// negative: settled calls can use fewer than their estimate.
    pub(crate) fn take(&mut self, minute: f64, own: (f64, f64)) -> [f64; REPORT_FIELDS] {
        if self.minute != minute {
            *self = Reported {
                minute,
                requests: 0.0,
                tokens: 0.0,
            };
        }
        let fresh = [own.0 - self.requests, own.1 - self.tokens];
        self.requests = own.0;
        self.tokens = own.1;
        [fresh[0], fresh[1], self.requests, self.tokens]
    }

    /// Takes back a report of `requests` and `tokens` in `minute` that did not reach Redis, so
    /// the next report sends them again.
    pub(crate) fn give_back(&mut self, minute: f64, requests: f64, tokens: f64) {
        if self.minute == minute {
            self.requests -= requests;
            self.tokens -= tokens;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_unit_is_reported_once_and_a_failed_report_is_sent_again() {
        let mut reported = Reported::new();
        assert_eq!(reported.take(5.0, (3.0, 300.0)), [3.0, 300.0, 3.0, 300.0]);
        assert_eq!(reported.take(5.0, (4.0, 250.0)), [1.0, -50.0, 4.0, 250.0]);
        reported.give_back(5.0, 1.0, -50.0);
        assert_eq!(reported.take(5.0, (4.0, 250.0)), [1.0, -50.0, 4.0, 250.0]);
        assert_eq!(reported.take(6.0, (1.0, 10.0)), [1.0, 10.0, 1.0, 10.0]);
        reported.give_back(5.0, 1.0, 10.0);
        assert_eq!(reported.take(6.0, (1.0, 10.0)), [0.0, 0.0, 1.0, 10.0]);
    }
}

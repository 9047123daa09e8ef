import Testing
@testable import KubeClient

@Suite("Retry policy decisions")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, maxConnectAttempts: 2, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(30), jitter: 0.5)

    @Test func idempotentRequestsRetryOnThrottlingAndServerErrors() {
        for status in [429, 500, 502, 503, 504] {
            #expect(policy.decide(attempt: 1, idempotent: true, outcome: .response(status: status, retryAfterSeconds: nil), random: 0.5) == .retry(after: .milliseconds(100)))
        }
        for status in [400, 401, 403, 404, 409, 410, 422, 501] {
            #expect(policy.decide(attempt: 1, idempotent: true, outcome: .response(status: status, retryAfterSeconds: nil), random: 0.5) == .giveUp)
        }
    }

    @Test func retryAfterIsHonouredAndCapped() {
        #expect(policy.decide(attempt: 1, idempotent: true, outcome: .response(status: 429, retryAfterSeconds: 3), random: 0.9) == .retry(after: .seconds(3)))
        #expect(policy.decide(attempt: 2, idempotent: true, outcome: .response(status: 503, retryAfterSeconds: 0), random: 0.9) == .retry(after: .zero))
        #expect(policy.decide(attempt: 1, idempotent: true, outcome: .response(status: 429, retryAfterSeconds: 999), random: 0) == .retry(after: .seconds(30)))
    }

    @Test func nonIdempotentRequestsRetryOnlyWhenNothingWasProcessed() {
        #expect(policy.decide(attempt: 1, idempotent: false, outcome: .response(status: 503, retryAfterSeconds: 1), random: 0.5) == .giveUp)
        #expect(policy.decide(attempt: 1, idempotent: false, outcome: .response(status: 500, retryAfterSeconds: nil), random: 0.5) == .giveUp)
        #expect(policy.decide(attempt: 1, idempotent: false, outcome: .response(status: 429, retryAfterSeconds: nil), random: 0.5) == .giveUp)
        #expect(policy.decide(attempt: 1, idempotent: false, outcome: .response(status: 429, retryAfterSeconds: 2), random: 0.5) == .retry(after: .seconds(2)))
        #expect(policy.decide(attempt: 1, idempotent: false, outcome: .transport(.connectionLost), random: 0.5) == .giveUp)
        #expect(policy.decide(attempt: 1, idempotent: false, outcome: .transport(.connectFailed), random: 0.5) == .retry(after: .milliseconds(100)))
    }

    @Test func connectionErrorsAndBounds() {
        #expect(policy.decide(attempt: 1, idempotent: true, outcome: .transport(.connectionLost), random: 0.5) == .retry(after: .milliseconds(100)))
        #expect(policy.decide(attempt: 3, idempotent: true, outcome: .transport(.connectionLost), random: 0.5) == .retry(after: .milliseconds(400)))
        #expect(policy.decide(attempt: 4, idempotent: true, outcome: .transport(.connectionLost), random: 0.5) == .giveUp)
        #expect(policy.decide(attempt: 2, idempotent: true, outcome: .transport(.connectFailed), random: 0.5) == .giveUp)
        #expect(policy.decide(attempt: 4, idempotent: true, outcome: .response(status: 503, retryAfterSeconds: 1), random: 0.5) == .giveUp)
        for kind in [TransportError.Kind.timedOut, .tlsVerification, .tls, .unresolvedHost, .cancelled, .other] {
            #expect(policy.decide(attempt: 1, idempotent: true, outcome: .transport(kind), random: 0.5) == .giveUp)
        }
        #expect(RetryPolicy.none.decide(attempt: 1, idempotent: true, outcome: .response(status: 503, retryAfterSeconds: nil), random: 0.5) == .giveUp)
    }

    @Test func backoffGrowsIsCappedAndJittered() {
        #expect(policy.backoff(1, 0.5) == .milliseconds(100))
        #expect(policy.backoff(2, 0.5) == .milliseconds(200))
        #expect(policy.backoff(3, 0.5) == .milliseconds(400))
        #expect(policy.backoff(10, 0.5) == .seconds(1))
        #expect(policy.backoff(2, 0) == .milliseconds(150))
        #expect(policy.backoff(2, 1) == .milliseconds(250))
    }
}

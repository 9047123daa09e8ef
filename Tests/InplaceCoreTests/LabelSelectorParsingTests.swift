import Testing
@testable import InplaceCore

/// `-l` parsing follows `labels.Parse`: every operator, commas inside sets, and what is not a selector.
@Suite struct LabelSelectorParsingTests {
    @Test func operators() throws {
        let s = try #require(LabelSelector(parsing: "app=web, tier!=db,env in (prod, staging),!legacy,track,v==2"))
        #expect(s.matchLabels == ["app": "web", "v": "2"])
        #expect(s.matches(["app": "web", "v": "2", "env": "prod", "track": "x"]))
        #expect(!s.matches(["app": "web", "v": "2", "env": "prod", "track": "x", "tier": "db"]), "!=")
        #expect(!s.matches(["app": "web", "v": "2", "env": "dev", "track": "x"]), "in")
        #expect(!s.matches(["app": "web", "v": "2", "env": "prod", "track": "x", "legacy": "1"]), "!key")
        #expect(!s.matches(["app": "web", "v": "2", "env": "prod"]), "key exists")
        let notIn = try #require(LabelSelector(parsing: "app.kubernetes.io/name notin (a,b)"))
        #expect(notIn.matches([:]) && !notIn.matches(["app.kubernetes.io/name": "a"]))
        #expect(LabelSelector(parsing: "app=web")?.queryString == "app=web")
    }

    @Test func notSelectors() {
        for text in ["", ",", "app=web,", "bad label", "app=we b", "-app=x", "app in (a", "/x=y", "a=" + String(repeating: "v", count: 64)] {
            #expect(LabelSelector(parsing: text) == nil, "\(text)")
        }
        #expect(LabelSelector(parsing: "app=") != nil, "an empty value is a value")
    }
}

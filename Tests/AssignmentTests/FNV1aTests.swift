import Testing
@testable import Assignment

@Suite struct FNV1aTests {
    // Published FNV-1a 32 test vectors (draft-eastlake-fnv, section 8 / isthe.com test suite).
    @Test(arguments: [("", UInt32(0x811C_9DC5)), ("a", 0xE40C_292C), ("foobar", 0xBF9C_F968)])
    func publishedVectors(input: String, expected: UInt32) {
        #expect(FNV1a32.hash(utf16: input) == expected)
    }

    @Test func incrementalEqualsOneShot() {
        var h = FNV1a32()
        h.combine(utf16: "foo")
        h.combine(utf16: "bar")
        #expect(h.value == FNV1a32.hash(utf16: "foobar"))
    }
}

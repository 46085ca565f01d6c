extension ConnectionTable {
    /// Calls `body` with the address of the hot record behind `id` (nothing when the slot does
    /// not exist), for a cache prefetch hint by an owner that knows an entry will be used
    /// soon (a simulation's timer list). The pointer must not escape `body` nor be
    /// dereferenced after it returns.
    @inlinable
    public func withRecordAddress(of id: ConnectionID, _ body: (UnsafeRawPointer) -> Void) {
        guard id.slot >= 0, Int(id.slot) < slab.count else { return }
        body(UnsafeRawPointer(slab.hot + Int(id.slot)))
    }
}

extension ConnectionID {
    /// A handle rebuilt from its two numbers (an owner that keeps handles in compact
    /// event payloads). Whether it still names a live entry is for
    /// ``ConnectionTable/isValid(_:)`` to say.
    public init(rawSlot: Int32, generation: UInt32) {
        self.init(slot: rawSlot, generation: generation)
    }
}

extension ConnectionTable {
    /// Calls `body` with the address of the address record (client, virtual, destination)
    /// of table slot `slot`, nothing when there is no such slot: an owner that has just
    /// removed an entry may prefetch its slot's record for writing, since the next insert
    /// reuses the most recently freed slot and writes that record whole. The pointer must not escape
    /// `body` nor be dereferenced after it returns.
    @inlinable
    public func withAddressRecordAddress(ofSlot slot: Int32, _ body: (UnsafeRawPointer) -> Void) {
        guard slot >= 0, Int(slot) < slab.count else { return }
        body(UnsafeRawPointer(slab.cold + Int(slot)))
    }
}

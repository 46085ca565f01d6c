extension ConnectionTable {
    /// Calls `body` with the address of the record behind `id` (nothing when the slot does
    /// not exist), for a cache prefetch hint by an owner that knows an entry will be used
    /// soon (a simulation's timer list). The pointer must not escape `body` nor be
    /// dereferenced after it returns.
    @inlinable
    public func withRecordAddress(of id: ConnectionID, _ body: (UnsafeRawPointer) -> Void) {
        slots.withUnsafeBufferPointer { slots in
            guard id.slot >= 0, Int(id.slot) < slots.count else { return }
            body(UnsafeRawPointer(slots.baseAddress.unsafelyUnwrapped + Int(id.slot)))
        }
    }
}

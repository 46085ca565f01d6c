import Foundation
import LVSModel
import Schedulers

extension ClusterModel {
    // Connection slots

    @inline(__always)
    mutating func allocateSlot() -> Int {
        if let slot = freeSlots.popLast() {
            conns[Int(slot)].recycle()
            return Int(slot)
        }
        conns.append(ConnSlot())
        return conns.count - 1
    }

    /// The connection's director entry while it exists.
    @inline(__always)
    func entryID(_ slot: Int) -> ConnectionID? {
        guard let id = conns[slot].entry, director.connections.isValid(id) else { return nil }
        return id
    }

    @inline(__always)
    mutating func releaseIfDone(_ slot: Int) {
        if conns[slot].flags & ConnFlag.clientDone != 0 && conns[slot].entry == nil {
            conns[slot].flags = 0
            freeSlots.append(Int32(slot))
        }
    }

    func clientEndpoint(_ slot: Int) -> Endpoint {
        Endpoint(address: .v4(clientBase &+ conns[slot].client), port: conns[slot].port)
    }
}

extension ClusterModel.ConnSlot {
    /// A freed slot taken again: a new generation, no entry, no server.
    @inline(__always)
    mutating func recycle() {
        generation &+= 1
        entry = nil
        server = -1
    }
}

import Foundation
import LVSModel
import Schedulers

extension ClusterModel {
    // Connection slots

    mutating func allocateSlot() -> Int {
        if let slot = freeSlots.popLast() {
            cGeneration[Int(slot)] &+= 1
            cTimerAt[Int(slot)] = .max
            cEntry[Int(slot)] = nil
            cServer[Int(slot)] = -1
            return Int(slot)
        }
        cArrival.append(0)
        cAccepted.append(0)
        cDemand.append(0)
        cClient.append(0)
        cPort.append(0)
        cEntry.append(nil)
        cServer.append(-1)
        cTimerAt.append(.max)
        cGeneration.append(0)
        cAttempts.append(0)
        cFlags.append(0)
        cSequence.append(0)
        return cArrival.count - 1
    }

    /// The connection's director entry while it exists.
    @inline(__always)
    func entryID(_ slot: Int) -> ConnectionID? {
        guard let id = cEntry[slot], director.connections.isValid(id) else { return nil }
        return id
    }

    mutating func releaseIfDone(_ slot: Int) {
        if cFlags[slot] & ConnFlag.clientDone != 0 && cEntry[slot] == nil {
            cFlags[slot] = 0
            freeSlots.append(Int32(slot))
        }
    }

    func clientEndpoint(_ slot: Int) -> Endpoint {
        Endpoint(address: .v4(clientBase &+ cClient[slot]), port: cPort[slot])
    }
}

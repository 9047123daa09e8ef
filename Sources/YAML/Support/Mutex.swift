import Locking

/// Every `Mutex` of this module is a `SanitizerVisibleMutex` (this alias shadows Synchronization's).
typealias Mutex<Value> = SanitizerVisibleMutex<Value>

import Foundation

/// An error writing an output file.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes files so that a reader never sees a partial one: the bytes go to a temporary file in
/// the same directory, which is then renamed over the destination (`rename(2)` is atomic
/// within a file system). On failure the temporary file is removed and the destination is left
/// as it was.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating the parent directory if needed.
    public static func write(_ data: Data, to url: URL) throws(OutputError) {
        let fm = FileManager.default
        let dir = url.deletingLastPathComponent()
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: url.path, reason: "cannot create directory \(dir.path): \(error.localizedDescription)")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp")
        guard fm.createFile(atPath: temp.path, contents: data) else {
            throw OutputError(path: url.path, reason: "cannot create temporary file in \(dir.path)")
        }
        guard rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temp)
            throw OutputError(path: url.path, reason: reason)
        }
    }

    /// Writes `text` as UTF-8 to `url` atomically.
    public static func write(_ text: String, to url: URL) throws(OutputError) {
        try write(Data(text.utf8), to: url)
    }
}

/// Writes a result folder as a whole, so a reader (or a run killed while overwriting an old
/// result) never sees old and new files mixed: the files go to a temporary sibling folder,
/// the old folder is renamed aside, the new one renamed into place, and the old one removed.
///
/// Entries of the old folder that the new write does not manage (a run's `.checkpoint/`,
/// shard files, anything a user put there) are moved into the new folder, so nothing is lost.
/// A kill between the renames leaves `.<name>.old-*` or `.<name>.tmp-*` beside the folder;
/// the next write recovers the first (moving its other entries back) and removes the second.
public enum AtomicFolder {
    /// Writes `files` (name → bytes) as the folder `url`, replacing the managed files of any
    /// previous folder: the names in `files` plus `managed` (e.g. a `records.csv` this run did
    /// not write, which would otherwise describe another run).
    public static func write(_ files: [(name: String, data: Data)], to url: URL, managed: Set<String> = []) throws(OutputError) {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        let name = url.lastPathComponent
        let replaced = managed.union(files.map(\.name))
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: url.path, reason: "cannot create directory \(parent.path): \(error.localizedDescription)")
        }
        recover(name: name, in: parent, replaced: replaced)
        let tag = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))"
        let temp = parent.appendingPathComponent(".\(name).tmp-\(tag)")
        let old = parent.appendingPathComponent(".\(name).old-\(tag)")
        do {
            try fm.createDirectory(at: temp, withIntermediateDirectories: false)
        } catch {
            throw OutputError(path: url.path, reason: "cannot create temporary folder \(temp.path): \(error.localizedDescription)")
        }
        for f in files {
            let path = temp.appendingPathComponent(f.name).path
            guard fm.createFile(atPath: path, contents: f.data) else {
                try? fm.removeItem(at: temp)
                throw OutputError(path: url.appendingPathComponent(f.name).path, reason: "cannot write \(path)")
            }
        }
        var isDir: ObjCBool = false
        let hadOld = fm.fileExists(atPath: url.path, isDirectory: &isDir)
        if hadOld && !isDir.boolValue {
            try? fm.removeItem(at: temp)
            throw OutputError(path: url.path, reason: "exists and is not a folder")
        }
        if hadOld {
            guard rename(url.path, old.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? fm.removeItem(at: temp)
                throw OutputError(path: url.path, reason: reason)
            }
        }
        guard rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if hadOld { _ = rename(old.path, url.path) }
            try? fm.removeItem(at: temp)
            throw OutputError(path: url.path, reason: reason)
        }
        if hadOld { keepOthers(from: old, into: url, replaced: replaced) }
    }

    /// Moves the entries of `old` that are not `replaced` into `folder`, then removes `old`.
    static func keepOthers(from old: URL, into folder: URL, replaced: Set<String>) {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: old.path)) ?? [] where !replaced.contains(entry) {
            let target = folder.appendingPathComponent(entry)
            if !fm.fileExists(atPath: target.path) { _ = rename(old.appendingPathComponent(entry).path, target.path) }
        }
        try? fm.removeItem(at: old)
    }

    /// Recovers what a killed write left beside `name`: a `.old-*` folder whose rename back
    /// did not happen (its unmanaged entries go back into the folder, or it becomes the folder
    /// again when none is there) and `.tmp-*` folders (removed).
    static func recover(name: String, in parent: URL, replaced: Set<String>) {
        let fm = FileManager.default
        let folder = parent.appendingPathComponent(name)
        for entry in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] {
            let path = parent.appendingPathComponent(entry)
            if entry.hasPrefix(".\(name).tmp-") {
                try? fm.removeItem(at: path)
            } else if entry.hasPrefix(".\(name).old-") {
                if fm.fileExists(atPath: folder.path) { keepOthers(from: path, into: folder, replaced: replaced) }
                else { _ = rename(path.path, folder.path) }
            }
        }
    }
}

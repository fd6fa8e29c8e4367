import Foundation

/// A CSV input error, located by 1-based physical line and column (the field number, counted
/// from 1; syntax errors also give the character position in the message).
public struct CSVError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String
    /// An error at `line`, `column` of `file`.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file; self.line = line; self.column = column; self.message = message
    }
    public var description: String { "\(file): line \(line), column \(column): \(message)" }
}

/// One parsed record: its fields and the physical line on which it starts.
public struct CSVRecord: Sendable {
    /// The 1-based physical line on which the record starts.
    public let line: Int
    /// The record's fields, unquoted.
    public let fields: [String]
}

/// An RFC 4180 CSV reader: comma-separated fields, records ended by CRLF or LF, fields may be
/// enclosed in double quotes, a quote inside a quoted field is written twice, and a quoted field
/// may contain commas and line breaks. A UTF-8 byte-order mark is skipped; blank lines are
/// ignored. Anything else (a quote inside an unquoted field, text after a closing quote, an
/// unterminated quote, a record with a different number of fields than the header) is an
/// error naming the line and column.
public enum CSVReader {
    /// Parses `text` (named `file` in errors) into its header and records.
    public static func parse(_ text: String, file: String) throws(CSVError) -> (header: [String], rows: [CSVRecord]) {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = ""
        var line = 1, column = 0
        var recordLine = 1
        var inQuotes = false, quotedField = false, afterClosingQuote = false
        var quoteLine = 0, quoteColumn = 0, quoteCharacter = 0
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0

        func endField() {
            fields.append(field)
            field = ""
            quotedField = false
            afterClosingQuote = false
        }
        func endRecord() {
            let wasQuoted = quotedField
            endField()
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields = []
        }

        while i < chars.count {
            let c = chars[i]
            column += 1
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                        column += 1
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    field.unicodeScalars.append(c)
                    if c == "\n" { line += 1; column = 0 }
                }
                i += 1
                continue
            }
            switch c {
            case ",":
                endField()
            case "\r":
                if i + 1 < chars.count, chars[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1; column = 0; recordLine = line
            case "\n":
                endRecord()
                line += 1; column = 0; recordLine = line
            case "\"":
                guard field.isEmpty, !afterClosingQuote else {
                    throw CSVError(file: file, line: line, column: fields.count + 1,
                                   message: "unexpected double quote inside a field at character \(column) (quote the whole field and double the quote: \"\")")
                }
                inQuotes = true
                quotedField = true
                quoteLine = line; quoteColumn = fields.count + 1; quoteCharacter = column
            default:
                if afterClosingQuote {
                    throw CSVError(file: file, line: line, column: fields.count + 1,
                                   message: "text after a closing quote at character \(column) (expected a comma or the end of the line)")
                }
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes {
            throw CSVError(file: file, line: quoteLine, column: quoteColumn, message: "unterminated quoted field (the quote opens at character \(quoteCharacter))")
        }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRecord() }

        guard let header = records.first else {
            throw CSVError(file: file, line: 1, column: 1, message: "the file is empty (expected a header row)")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for (k, name) in names.enumerated() {
            if name.isEmpty {
                throw CSVError(file: file, line: header.line, column: k + 1, message: "empty column name in the header")
            }
            if !seen.insert(name).inserted {
                throw CSVError(file: file, line: header.line, column: k + 1, message: "duplicate column name '\(name)'")
            }
        }
        let rows = Array(records.dropFirst())
        for r in rows where r.fields.count != names.count {
            throw CSVError(file: file, line: r.line, column: min(r.fields.count, names.count + 1),
                           message: "expected \(names.count) fields (as in the header), found \(r.fields.count)")
        }
        return (names, rows)
    }
}

#ifndef CASEBRIDGE_CLIBXML2_SHIM_H
#define CASEBRIDGE_CLIBXML2_SHIM_H

#include <stdlib.h>
#include <string.h>
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, whose headers clash with Foundation's own copy of ICU when both
   reach Swift. Casebridge never touches the ICU-backed encoding handlers (they are only ever used
   through pointers), so hide them. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlversion.h>

/// The parser's current line, as libxml2 counts it (1-based).
static inline int casebridge_xml_line(xmlParserCtxtPtr ctxt) {
    if (ctxt == NULL || ctxt->input == NULL) return 0;
    return ctxt->input->line;
}

/// The parser's current column (1-based).
static inline int casebridge_xml_column(xmlParserCtxtPtr ctxt) {
    if (ctxt == NULL || ctxt->input == NULL) return 0;
    return ctxt->input->col;
}

/// The byte offset in the document of the parser's current position (UTF-8 input: the file offset).
/// In a start-element callback it lies inside the start tag, after its attributes; in an
/// end-element callback, just after the end tag.
static inline long long casebridge_xml_offset(xmlParserCtxtPtr ctxt) {
    if (ctxt == NULL || ctxt->input == NULL || ctxt->input->cur == NULL || ctxt->input->base == NULL) return -1;
    return (long long)ctxt->input->consumed + (long long)(ctxt->input->cur - ctxt->input->base);
}

/// `xmlFree` is a C global variable; Swift 6 rejects it as shared mutable state.
static inline void casebridge_xml_free(void *pointer) {
    xmlFree(pointer);
}

#endif

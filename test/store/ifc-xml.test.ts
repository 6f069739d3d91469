// iFC templates checked on upload against TS 29.228 Annex E (CxDataType.xsd): well-formedness with
// line:column, the InitialFilterCriteria / TriggerPoint / SPT / ApplicationServer sequences in
// order, value ranges (SessionCase 0..4, DefaultHandling and ProfilePartIndicator 0|1), and what
// may never be in a template (DOCTYPE, XML declaration, undeclared entities). Each bad template
// is also refused by the store with field "xml" and its location, and nothing is written.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { StoreError, checkIfcXml } from '../../src/store/index.js';
import { tempStore, type TempStore } from './helpers.js';

const SPT_METHOD = '<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>INVITE</Method></SPT>';
const AS = '<ApplicationServer><ServerName>sip:as.ims.test:5060</ServerName><DefaultHandling>0</DefaultHandling><ServiceInfo>{{impu}}</ServiceInfo></ApplicationServer>';
const ifc = (trigger: string, as = AS, extra = ''): string => `<InitialFilterCriteria><Priority>10</Priority><TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF>${trigger}</TriggerPoint>${as}${extra}</InitialFilterCriteria>`;

/** A multi-line template as an operator writes it; line 4 is the SPT list. */
const PRETTY = [
  '<!-- MMTel: originating INVITEs and REGISTER -->',
  '<InitialFilterCriteria>',
  '  <Priority>0</Priority>',
  '  <TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF>@SPTS@</TriggerPoint>',
  '  <ApplicationServer><ServerName>sip:mmtel.ims.test</ServerName><DefaultHandling>@DH@</DefaultHandling></ApplicationServer>',
  '  <ProfilePartIndicator>@PPI@</ProfilePartIndicator>',
  '</InitialFilterCriteria>',
].join('\n');
const pretty = (spts = SPT_METHOD, dh = '0', ppi = '0'): string => PRETTY.replace('@SPTS@', spts).replace('@DH@', dh).replace('@PPI@', ppi);
const col = (line: string, needle: string): number => line.indexOf(needle) + 1;

describe('checkIfcXml (TS 29.228 Annex E)', () => {
  it('accepts what the XSD allows: every SPT kind, optional parts, Extensions with anything, two iFCs, comments, placeholders, character references', () => {
    const all = [
      SPT_METHOD,
      '<SPT><Group>1</Group><Group>2</Group><RequestURI>sip:voicemail@ims.test</RequestURI></SPT>',
      '<SPT><ConditionNegated>true</ConditionNegated><Group>0</Group><SIPHeader><Header>Event</Header><Content>reg</Content></SIPHeader></SPT>',
      '<SPT><ConditionNegated>false</ConditionNegated><Group>0</Group><SIPHeader><Header>Accept-Contact</Header></SIPHeader></SPT>',
      '<SPT><Group>3</Group><SessionCase>4</SessionCase><Extension><RegistrationType>0</RegistrationType></Extension></SPT>',
      '<SPT><Group>3</Group><SessionDescription><Line>m</Line><Content>audio</Content></SessionDescription></SPT>',
    ].join('');
    const good = [
      ifc(all),
      pretty(),
      pretty(SPT_METHOD, '1', '1'),
      `${ifc(SPT_METHOD)}\n${ifc('<SPT><Group>0</Group><Method>MESSAGE</Method></SPT>', '<ApplicationServer><ServerName>sip:smsc.ims.test</ServerName></ApplicationServer>')}`,
      '<InitialFilterCriteria><Priority>&#49;</Priority><ApplicationServer><ServerName>sip:a&amp;b</ServerName></ApplicationServer><Extension><Anything><x/></Anything></Extension><vendor:Hint>1</vendor:Hint></InitialFilterCriteria>',
      ifc('', AS, '<ProfilePartIndicator>1</ProfilePartIndicator>'),
      ifc('<SPT><Group>0</Group><Method><![CDATA[INVITE]]></Method></SPT>'),
    ];
    for (const xml of good) expect(checkIfcXml(xml), xml).toBeUndefined();
  });

  it('names the line, column and expectation for each kind of mistake', () => {
    // [template, where the problem is (the text starting there; "" = end of the template), what the message says]
    const cases: [xml: string, at: string, says: RegExp][] = [
      // Not well-formed: the parser's own message, positions in the template as uploaded.
      [pretty().replace('</TriggerPoint>', '</Trigger>'), '</Trigger>', /not well-formed XML: Expected closing tag 'TriggerPoint' \(opened in line 4, column 3\) instead of closing tag 'Trigger'/],
      ['<InitialFilterCriteria><Priority>1</Priority>', '', /not well-formed XML: .*'InitialFilterCriteria'.* instead of the end of the template/],
      // Order and presence.
      [pretty('<SPT><ConditionNegated>0</ConditionNegated><Method>INVITE</Method></SPT>'), '<Method>', /SPT\[1\]: expected <Group>, found <Method> \(SPT: ConditionNegated\?, Group\+, one of \(RequestURI \| Method \| SIPHeader \| SessionCase \| SessionDescription\), Extension\?\)/],
      [pretty(`${SPT_METHOD}<SPT><Group>1</Group></SPT>`), '</SPT></TriggerPoint>', /SPT\[2\]: expected one of <RequestURI>, <Method>, <SIPHeader>, <SessionCase>, <SessionDescription> before the end of <SPT>/],
      [pretty('<SPT><Group>0</Group><Method>INVITE</Method><Method>BYE</Method></SPT>'), '<Method>BYE', /<Method> is out of order or repeated/],
      ['<InitialFilterCriteria>\n  <ApplicationServer><ServerName>sip:a</ServerName></ApplicationServer>\n  <Priority>1</Priority>\n</InitialFilterCriteria>', '<ApplicationServer>', /InitialFilterCriteria\[1\]: expected <Priority>, found <ApplicationServer> \(InitialFilterCriteria: Priority, TriggerPoint\?, ApplicationServer, ProfilePartIndicator\?, Extension\?\)/],
      ['<InitialFilterCriteria><Priority>1</Priority></InitialFilterCriteria>', '</InitialFilterCriteria>', /expected <ApplicationServer> before the end of <InitialFilterCriteria>/],
      [ifc('<SPT><Group>0</Group><Methods>INVITE</Methods></SPT>'), '<Methods>', /expected one of <RequestURI>, <Method>.*found <Methods>/],
      [ifc(SPT_METHOD, AS, '<Colour>red</Colour>'), '<Colour>', /unknown element <Colour>/],
      [`<InitialFilterCriteria><Priority>1</Priority><TriggerPoint>${SPT_METHOD}</TriggerPoint>${AS}</InitialFilterCriteria>`, '<SPT>', /TriggerPoint: expected <ConditionTypeCNF>, found <SPT>/],
      ['<ApplicationServer><ServerName>sip:a</ServerName></ApplicationServer>', '<ApplicationServer>', /template: expected <InitialFilterCriteria>, found <ApplicationServer>/],
      ['<!-- nothing yet -->', '', /expected <InitialFilterCriteria> before the end of the template/],
      ['stray <InitialFilterCriteria/>', 'stray', /text is not allowed directly in the template/],
      // Values.
      [pretty('<SPT><Group>0</Group><SessionCase>5</SessionCase></SPT>'), '<SessionCase>', /<SessionCase> must be 0 ORIGINATING_REGISTERED, .*4 ORIGINATING_CDIV \(tDirectionOfRequest\), found "5"/],
      [pretty(SPT_METHOD, '2'), '<DefaultHandling>', /<DefaultHandling> must be 0 SESSION_CONTINUED or 1 SESSION_TERMINATED \(tDefaultHandling\), found "2"/],
      [pretty(SPT_METHOD, '0', 'unregistered'), '<ProfilePartIndicator>', /<ProfilePartIndicator> must be 0 REGISTERED or 1 UNREGISTERED/],
      [ifc('').replace('<Priority>10</Priority>', '<Priority>-1</Priority>'), '<Priority>', /<Priority> must be an integer ≥ 0 \(tPriority\), found "-1"/],
      [ifc('').replace('<ConditionTypeCNF>1', '<ConditionTypeCNF>yes'), '<ConditionTypeCNF>', /<ConditionTypeCNF> must be 0, 1, true or false/],
      [ifc('<SPT><Group>a</Group><Method>INVITE</Method></SPT>'), '<Group>', /<Group> must be an integer ≥ 0 \(tGroupID\)/],
      [ifc('<SPT><Group>0</Group><Method> </Method></SPT>'), '<Method>', /<Method> must be a non-empty string/],
      [ifc(SPT_METHOD, '<ApplicationServer><ServerName></ServerName></ApplicationServer>'), '<ServerName>', /<ServerName> must be a SIP URI/],
      [ifc('<SPT><Group>0</Group><Method><b>INVITE</b></Method></SPT>'), '<b>', /<Method> holds text only \(a non-empty string\), found <b>/],
      ['<InitialFilterCriteria>\n  Priority 1\n</InitialFilterCriteria>', 'Priority 1', /text is not allowed directly in <InitialFilterCriteria>/],
      // Never in a template.
      [`<?xml version="1.0"?>\n${ifc(SPT_METHOD)}`, '<?xml', /XML declaration or processing instruction is not allowed: the template is inserted inside <ServiceProfile>/],
      [`<!DOCTYPE x [<!ENTITY e "boom">]>\n${ifc(SPT_METHOD)}`, '<!DOCTYPE', /DOCTYPE .* not allowed/],
      [ifc('<SPT><Group>0</Group><Method>&e;</Method></SPT>'), '&e;', /expected &lt; &gt; &amp; &quot; &apos; or a character reference/],
      [ifc(SPT_METHOD).replace('as.ims.test', 'a&b'), '&b', /not well-formed XML: char '&' is not expected/],
      // Limits of the reader are reported too, not thrown.
      [ifc(SPT_METHOD, AS, `<Extension>${'<x>'.repeat(150)}${'</x>'.repeat(150)}</Extension>`), '<InitialFilterCriteria>', /cannot be read: Maximum nested tags exceeded/],
    ];
    for (const [xml, at, says] of cases) {
      const offset = at === '' ? xml.length : xml.indexOf(at);
      expect(offset, `${at} in ${xml}`).toBeGreaterThanOrEqual(0);
      const before = xml.slice(0, offset).split('\n');
      const p = checkIfcXml(xml);
      expect(p, xml).toBeDefined();
      expect([p!.line, p!.column], `${xml}\n${p!.message}`).toEqual([before.length, before[before.length - 1]!.length + 1]);
      expect(p!.message, xml).toMatch(says);
    }
  });
});

describe('iFC templates in the store', () => {
  let t: TempStore;
  beforeEach(() => (t = tempStore()));
  afterEach(() => t.cleanup());

  function refusal(fn: () => unknown): StoreError {
    try {
      fn();
    } catch (err) {
      if (err instanceof StoreError) return err;
      throw err;
    }
    throw new Error('expected a StoreError');
  }

  it('create and update refuse a bad template with field xml, its line and column, and write nothing', () => {
    const bad = pretty('<SPT><Group>0</Group><SessionCase>9</SessionCase></SPT>');
    const e = refusal(() => t.store.ifcTemplates.create({ name: 'mmtel', xml: bad }, 'test'));
    expect(e.code).toBe(ErrorCode.STORE_INVALID);
    expect(e.field).toBe('xml');
    expect(e.location).toEqual({ line: 4, column: col(bad.split('\n')[3]!, '<SessionCase>') });
    expect(e.message).toMatch(/^xml: line 4, column \d+: InitialFilterCriteria\[1\] › TriggerPoint › SPT\[1\] › SessionCase: <SessionCase> must be/);
    expect(t.store.ifcTemplates.list().items).toEqual([]);

    const good = t.store.ifcTemplates.create({ name: 'mmtel', xml: pretty() }, 'test');
    const e2 = refusal(() => t.store.ifcTemplates.update(good.id, { xml: '<InitialFilterCriteria><Priority>1</Priority></InitialFilterCriteria>' }, 'test'));
    expect([e2.field, e2.location]).toEqual(['xml', { line: 1, column: 46 }]);
    expect(t.store.ifcTemplates.get(good.id)!.xml).toBe(pretty());
    expect(t.store.audit.list({ resource: 'ifc-template' }).items.map((a) => a.action)).toEqual(['create']);
  });
});

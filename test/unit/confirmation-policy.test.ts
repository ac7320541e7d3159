import { describe, expect, it } from 'vitest';
import { USE_CASES } from '../../core/use-cases.js';
import { ConfirmationPolicy } from '../../hosts/shared/confirmation.js';

describe('confirmation policy (descriptor defaults, config overrides)', () => {
  it('asks for destructive tools by default, costly ones only when configured, and config wins', () => {
    const defaults = new ConfirmationPolicy(USE_CASES);
    expect(defaults.modeOf('comms_erase_contact')).toBe('elicit');
    expect(defaults.modeOf('comms_make_call')).toBe('none');
    const configured = new ConfirmationPolicy(USE_CASES, { comms_erase_contact: 'none', comms_make_call: { mode: 'confirm-field' } });
    expect(configured.modeOf('comms_erase_contact')).toBe('none');
    expect(configured.modeOf('comms_make_call')).toBe('confirm-field');
    const erase = USE_CASES.find((u) => u.name === 'comms_erase_contact')!;
    expect(configured.publish(erase)).toBe(erase);
    expect(configured.settle(erase, { contact: '+15550100160' }, false)).toEqual({ contact: '+15550100160' });
  });

  it('refuses a config naming an unknown tool (a typo would leave a tool unguarded)', () => {
    expect(() => new ConfirmationPolicy(USE_CASES, { comms_erase_contacts: 'elicit' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('compares a list target in any order', () => {
    const listTool = { ...USE_CASES[0]!, name: 'release', confirmation: { byDefault: true, target: 'numbers' } };
    const policy = new ConfirmationPolicy([listTool]);
    const input = { numbers: ['+15550100161', '+15550100162'] };
    expect(policy.settle(listTool, { ...input, confirm: ['+15550100162', '+15550100161'] }, false)).toEqual(input);
    expect(() => policy.settle(listTool, { ...input, confirm: ['+15550100162'] }, false)).toThrow(expect.objectContaining({ code: 'CONFIRMATION_REQUIRED' }));
  });
});

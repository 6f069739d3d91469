// Operator choices for the Cx application (TS 29.228 leaves them to the HSS): S-CSCF selection,
// visited networks, how many AKA items one MAR may take, digest delivery policy, charging names.

export interface ServerCapabilities {
  readonly mandatory: readonly number[];
  readonly optional: readonly number[];
  /** S-CSCF SIP URIs the I-CSCF may pick from. */
  readonly serverNames: readonly string[];
}

export interface ChargingInformation {
  readonly primaryEventChargingFunctionName?: string;
  readonly secondaryEventChargingFunctionName?: string;
  readonly primaryChargingCollectionFunctionName?: string;
  readonly secondaryChargingCollectionFunctionName?: string;
}

export interface CxOptions {
  /** IND length of SQN = SEQ||IND for AKA items (TS 33.102 C.3.2); default 5. */
  readonly indBits?: number;
  /** Δ of the USIMs (TS 33.102 C.2.2), for the resync decision of §6.3.5; default 2^28. */
  readonly sqnDelta?: number;
  /**
   * S-CSCF SIP URIs handed out as Server-Name to a user with none assigned (stable per IMPI). Empty:
   * the UAA carries Server-Capabilities instead. A URI with a port (sip:scscf.ims.test:6060) makes
   * Kamailio's I-CSCF skip DNS SRV and use that port.
   */
  readonly scscfPool?: readonly string[];
  /** Sent in UAA/LIA when no Server-Name is given; default: no capabilities, the pool's names. */
  readonly serverCapabilities?: ServerCapabilities;
  /** Visited-Network-Identifier values refused with 5004 ROAMING_NOT_ALLOWED. */
  readonly deniedVisitedNetworks?: readonly string[];
  /** When set, only these Visited-Network-Identifier values are accepted (plus none else). */
  readonly allowedVisitedNetworks?: readonly string[];
  /** Most AKA items one MAR gets (SIP-Number-Auth-Items is capped to it); default 5. */
  readonly maxAuthItems?: number;
  /**
   * Whether a "Digest-MD5" MAR may receive the clear-text password of a subscriber provisioned for
   * 3GPP SIP Digest (authScheme sip-digest). Default false: such a MAR gets 5006.
   */
  readonly allowClearTextPassword?: boolean;
  readonly chargingInformation?: ChargingInformation;
  /** Diameter realm of S-CSCFs, for RTR/PPR when no SAR told us their Origin-Realm. Default: own realm. */
  readonly scscfRealm?: string;
}

export const DEFAULT_MAX_AUTH_ITEMS = 5;
